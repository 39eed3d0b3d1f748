/**
 * `harness list`: the experiments under experiments/ (with their axes) and the study files
 * next to them. A module or study that cannot be read is listed with the reason.
 */
import { join, relative } from 'node:path';
import type { Experiment } from '../experiment.js';
import { errorMessage } from '../errors.js';
import { knownExperiments, loadExperiment } from '../experiments.js';
import { experimentsDir, projectRoot, studyFiles } from '../paths.js';
import { readStudyDocument } from '../study/load.js';

export interface ExperimentEntry {
  name: string;
  module: string;
  version?: string;
  description?: string;
  /**
   * `choices`: the values an axis takes, as the experiment's catalog lists them; `open` when a
   * study may add its own (the experiment computes them from the study's params); `defaults`:
   * the values a study that leaves the axis out runs.
   */
  axes?: { name: string; shared: boolean; defaults: readonly string[] | null; choices: readonly string[] | null; open: boolean }[];
  error?: string;
}

export interface StudyEntry {
  file: string;
  name?: string;
  experiment?: string;
  description?: string;
  error?: string;
}

export async function listProject(): Promise<{ experiments: ExperimentEntry[]; studies: StudyEntry[] }> {
  const experiments: ExperimentEntry[] = [];
  for (const folder of knownExperiments()) {
    const modulePath = join(experimentsDir, folder, 'experiment.ts');
    const module = relative(projectRoot, modulePath);
    try {
      const { experiment } = await loadExperiment(modulePath);
      experiments.push({
        name: experiment.name,
        module,
        version: experiment.version,
        description: experiment.description,
        axes: Object.entries(experiment.axes).map(([name, def]) => ({
          name,
          shared: def.shared === true,
          defaults: def.defaults ?? null,
          choices: typeof def.choices === 'function' ? catalogChoices(def.choices, experiment.paramsSchema) : (def.choices ?? null),
          open: typeof def.choices === 'function',
        })),
      });
    } catch (thrown) {
      experiments.push({ name: folder, module, error: errorMessage(thrown) });
    }
  }
  const studies: StudyEntry[] = studyFiles().map((file) => {
    const shown = relative(projectRoot, file);
    try {
      const doc = readStudyDocument(file, shown) as Record<string, unknown>;
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      return { file: shown, name: text(doc['name']), experiment: text(doc['experiment']), description: text(doc['description']) };
    } catch (thrown) {
      return { file: shown, error: errorMessage(thrown) };
    }
  });
  return { experiments, studies };
}

/**
 * An axis's values before a study adds any: its choices of the experiment's default params (the
 * schema's parse of none, or none at all where the schema needs a study's); null when they need a study's.
 */
function catalogChoices(choices: (params: unknown) => readonly string[], schema: Experiment['paramsSchema']): readonly string[] | null {
  const defaults = schema.safeParse({});
  try {
    return choices(defaults.success ? defaults.data : {});
  } catch {
    return null;
  }
}
