/**
 * From a study reference on the command line to a resolved Study, in named phases:
 *   locate -> read (YAML) -> top-level --set -> shape check -> load the experiment ->
 *   axis/param --set -> resolve against the experiment (params, axes, sweeps, zip, exclude,
 *   grid order, manifest).
 */
import { InputError } from '../errors.js';
import { experimentModulePath, loadExperiment } from '../experiments.js';
import * as msg from '../messages.js';
import { displayPath } from '../paths.js';
import { locateStudy, parseStudyShape, readStudyDocument } from './load.js';
import { applyExperimentSets, applyTopLevelSets, parseSets } from './overrides.js';
import { resolveStudy, type Study } from './resolve.js';
import type { StudyDoc } from './schema.js';

export type { Study } from './resolve.js';

export interface LoadStudyOptions {
  /** `--set path=value` arguments, in order. */
  sets?: readonly string[];
  cwd: string;
}

export async function loadStudy(ref: string, options: LoadStudyOptions): Promise<Study> {
  const sets = parseSets(options.sets ?? []);
  const absPath = locateStudy(ref, options.cwd);
  const display = displayPath(absPath, options.cwd);
  const raw = readStudyDocument(absPath, display) as Record<string, unknown>;
  const sources = new Map<string, string>();
  applyTopLevelSets(raw, sets, sources);
  const doc = parseStudyShape(raw, display, sources);
  normalizeSweepKeys(doc, display);
  const loaded = await loadExperiment(experimentModulePath(doc.experiment, absPath, display), options.cwd);
  applyExperimentSets(doc, sets, Object.keys(loaded.experiment.axes), sources);
  return resolveStudy(doc, { display, absPath, loaded, sources });
}

/** `sweep: {params.sim.M: [...]}` and `sweep: {sim.M: [...]}` mean the same parameter. */
function normalizeSweepKeys(doc: StudyDoc, display: string): void {
  for (const key of Object.keys(doc.sweep)) {
    if (!key.startsWith('params.')) continue;
    const short = key.slice('params.'.length);
    if (short in doc.sweep) {
      throw new InputError(
        msg.studyInvalid(display, [{ path: ['sweep', key], received: key, ...msg.rule.duplicateValue(Object.keys(doc.sweep).indexOf(short)) }]),
      );
    }
    doc.sweep[short] = doc.sweep[key]!;
    delete doc.sweep[key];
  }
}
