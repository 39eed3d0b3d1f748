/**
 * Reading a study file: find it (a path, or a study name), read it with a size limit, parse
 * the YAML, and check its shape. Knows nothing about any experiment.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { InputError, errorMessage } from '../errors.js';
import { knownExperiments } from '../experiments.js';
import * as msg from '../messages.js';
import { studyFiles } from '../paths.js';
import { hasSqliteHeader } from '../store/damage.js';
import { nearest } from '../text.js';
import { fromZodIssues } from './issues.js';
import { studyFileSchema, type StudyDoc } from './schema.js';

export const maxStudyBytes = 1 << 20;
/** How far YAML aliases (`*name`) may expand, as the yaml package counts it. */
export const maxYamlAliases = 100;

/**
 * Resolves a command-line study reference to an absolute file path: an existing path; else, among
 * the `known` study files (experiments/EXPERIMENT/NAME.yaml), the one of that file name, stem or
 * declared `name:`.
 */
export function locateStudy(ref: string, cwd: string, known: readonly string[] = studyFiles()): string {
  const asPath = resolve(cwd, ref);
  let stats;
  try {
    stats = statSync(asPath);
  } catch {
    stats = undefined;
  }
  if (stats?.isDirectory()) throw new InputError(msg.studyIsDirectory(ref));
  // Reading a FIFO or a device would block forever (and ignore Ctrl-C) instead of failing.
  if (stats && !stats.isFile()) throw new InputError(msg.studyNotAFile(ref));
  if (stats) return asPath;
  const stem = (file: string) => basename(file).replace(/\.ya?ml$/, '');
  if (!/[/\\]/.test(ref)) {
    // A file's name among the project's study files ("paper.yaml"); else by its stem first, then
    // by the name a study file declares, as `harness list` shows it.
    const matchers = /\.ya?ml$/.test(ref) ? [(file: string) => basename(file) === ref] : [(file: string) => stem(file) === ref, (file: string) => declaredName(file) === ref];
    for (const matchesRef of matchers) {
      const matches = known.filter(matchesRef);
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new InputError(msg.studyAmbiguous(ref, matches));
    }
  }
  // Named as "harness list" names them (the name a file declares), nearest among those and the file names.
  const names = [...new Set(known.map((file) => declaredName(file) ?? stem(file)))];
  const candidates = [...new Set([...names, ...known.map(stem)])];
  throw new InputError(msg.studyNotFound(ref, names, nearest(stem(ref), candidates), knownExperiments().includes(ref)));
}

/** The `name:` a study file declares; undefined where it declares none or cannot be read. */
function declaredName(file: string): string | undefined {
  try {
    const name = (readStudyDocument(file, file) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Reads and parses a study file into a plain value (not yet checked). */
export function readStudyDocument(absPath: string, display: string): unknown {
  let text: string;
  try {
    const stats = statSync(absPath);
    if (!stats.isFile() && !stats.isDirectory()) throw new InputError(msg.studyNotAFile(display));
    // Before the size limit: a results database is usually larger than any study file.
    if (stats.isFile() && hasSqliteHeader(absPath)) throw new InputError(msg.studyIsDatabase(display));
    const size = stats.size;
    if (size > maxStudyBytes) throw new InputError(msg.studyTooLarge(display, size, maxStudyBytes));
    text = readFileSync(absPath, 'utf8');
  } catch (thrown) {
    if (thrown instanceof InputError) throw thrown;
    const code = (thrown as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new InputError(msg.studyIsDirectory(display));
    throw new InputError(msg.studyUnreadable(display, code === 'EACCES' ? 'permission denied' : errorMessage(thrown)));
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    // The yaml package's advice for a second document speaks to its own callers, not to a study's author.
    const reason =
      first.code === 'MULTIPLE_DOCS'
        ? 'a second YAML document starts here ("---"), and a study file is one document: remove the line, or put the second study in a file of its own'
        : first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
    throw new InputError(msg.studyYamlSyntax(display, pos?.line, pos?.col, reason));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: maxYamlAliases });
  } catch (thrown) {
    // The yaml package refuses documents whose aliases expand too far (a "billion laughs").
    if (thrown instanceof ReferenceError) throw new InputError(msg.studyTooManyAliases(display, maxYamlAliases));
    throw thrown;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(msg.studyNotMapping(display, value));
  }
  const proto = protoKey(value);
  if (proto !== null) throw new InputError(msg.studyProtoKey(display, proto));
  return value;
}

/**
 * Where a mapping of the document has the key `__proto__`, JavaScript's name for an object's
 * prototype: the yaml package keeps it as a key of its own, which the shape checks then pass over
 * without a word (a parameter so named would be ignored).
 */
export function protoKey(node: unknown, path = ''): string | null {
  if (node === null || typeof node !== 'object') return null;
  for (const key of Object.getOwnPropertyNames(node)) {
    const at = Array.isArray(node) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (key === '__proto__' && !Array.isArray(node)) return at;
    if (Array.isArray(node) && key === 'length') continue;
    const found = protoKey((node as Record<string, unknown>)[key], at);
    if (found !== null) return found;
  }
  return null;
}

/** Checks the file's shape (not yet against the experiment). */
export function parseStudyShape(value: unknown, display: string, sources: ReadonlyMap<string, string>): StudyDoc {
  const parsed = studyFileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = fromZodIssues(parsed.error.issues, value, [], studyFileSchema);
    throw new InputError(msg.studyInvalid(display, issues, sources));
  }
  return parsed.data;
}
