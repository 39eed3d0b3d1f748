/**
 * Worker code as plain JavaScript. A worker thread on Node 20 does not inherit the parent's
 * TypeScript loader, and registering one in every worker costs about half a second and tens of
 * megabytes per thread. So the main thread compiles a worker's entry module (and everything it
 * imports from this project) once, with esbuild, into a content-addressed folder under
 * `node_modules/.cache/harness/`, and workers import that. Packages stay external imports, which
 * resolve from the project's node_modules because the cache lives inside it, unless the caller
 * names the few to keep external and has every other one bundled in (see CompileOptions).
 * Dynamic imports become separate chunks, so code a worker never calls (a report) is never
 * loaded there.
 *
 * The output is a pure function of the sources: the same sources give the same folder, which
 * is written once (see writeFolderAtomically) and reused by later runs; folders unused for a
 * week are removed (pruneCompiled). Running esbuild to learn that costs 40 to 90 ms a module
 * (300 ms with Vega bundled in), on every command; so each compilation also records the files
 * it read, with their size and change times, and a later process whose inputs all still match
 * reuses the folder without running esbuild. An edit, a copy, a checkout or a reinstall changes
 * a file's times, and the module is compiled again.
 */
import type { BuildOptions, Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomically, writeFolderAtomically } from '../files.js';
import { sha256 } from '../identity.js';
import { projectRoot } from '../paths.js';

const cacheRoot = join(projectRoot, 'node_modules', '.cache', 'harness');
const compiled = new Map<string, CompiledModule>();

export interface CompiledModule {
  /** The compiled JavaScript entry file. */
  path: string;
  /**
   * What the module runs when imported, as a hash: the sources bundled into its entry and into
   * the chunks it imports statically, named relative to the project and hashed with their
   * content. Code behind a dynamic import (an experiment's report) does not count. The same
   * sources give the same hash in any checkout; packages are not in it (the lockfile is).
   */
  codeHash: string;
}

export interface CompileOptions {
  /**
   * Bundle every package into the output except these (native addons, which cannot be
   * bundled). Loading one file is faster than resolving and loading a package's many modules:
   * Vega is about 50 modules and a drawing thread starts 50 ms sooner with it bundled in.
   * Default: every package stays an external import.
   */
  externalPackages?: readonly string[];
  /**
   * Append a source map to the output (default: yes), so that stack traces name the TypeScript
   * sources where the thread runs with source maps on (`--enable-source-maps`).
   */
  sourceMap?: boolean;
}

/** Path of the compiled JavaScript for the module at `entry` (a path or a file URL). */
export function compiledModulePath(entry: string | URL, options: CompileOptions = {}): string {
  return compiledModule(entry, options).path;
}

/** File URL of the compiled module, for `import()`. */
export function compiledModuleUrl(entry: string | URL, options: CompileOptions = {}): string {
  return pathToFileURL(compiledModulePath(entry, options)).href;
}

/** The compiled module for `entry` (a path or a file URL), with the hash of the code it runs. */
export function compiledModule(entry: string | URL, options: CompileOptions = {}): CompiledModule {
  const file = entry instanceof URL || entry.startsWith('file:') ? fileURLToPath(entry) : entry;
  const key = JSON.stringify([file, options.externalPackages ?? null, options.sourceMap ?? true]);
  let out = compiled.get(key);
  if (out === undefined) {
    out = compile(file, options);
    compiled.set(key, out);
  }
  return out;
}

/**
 * A file a compilation read, as it was then: path, size in bytes, and the times of its last
 * change of content (mtime) and of anything about it (ctime, which the system sets and no tool
 * can set back: a file rewritten with its old mtime restored still looks changed).
 */
type InputStamp = [path: string, size: number, mtimeMs: number, ctimeMs: number];

/** What a compilation wrote (`<name>-<16 hex>.inputs.json` beside its folder's siblings). */
interface BuildRecord {
  folder: string;
  codeHash: string;
  inputs: InputStamp[];
}

function compile(file: string, options: CompileOptions): CompiledModule {
  const name = basename(file).replace(/\.[cm]?[jt]s$/, '');
  const settings = buildSettings(file, name, options);
  // One record per entry and settings: the same module compiled another way is another output.
  const recordPath = join(cacheRoot, `${name}-${sha256(JSON.stringify(settings)).slice(0, 16)}.inputs.json`);
  const { dir, codeHash } = reusableFolder(recordPath) ?? build(settings, name, recordPath);
  if (!pruned) {
    pruned = true;
    pruneCompiled(cacheRoot, Date.now());
  }
  return { path: join(dir, `${name}.js`), codeHash };
}

function buildSettings(file: string, name: string, options: CompileOptions): BuildOptions & { write: false } {
  return {
    entryPoints: { [name]: file },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    ...(options.externalPackages ? { external: [...options.externalPackages] } : { packages: 'external' as const }),
    outdir: '/',
    write: false,
    sourcemap: options.sourceMap === false ? false : 'inline',
    // esbuild names each source relative to outdir ('/'), i.e. its absolute path without the
    // leading slash; Node prefixes sourceRoot as text, so '/' makes stack traces name real files.
    sourceRoot: '/',
    logLevel: 'silent',
  };
}

/** The folder a record names, when it exists and every input it lists is unchanged. */
function reusableFolder(recordPath: string): { dir: string; codeHash: string } | undefined {
  let record: BuildRecord;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8')) as BuildRecord;
  } catch {
    return undefined; // none yet, or unreadable: compile
  }
  if (typeof record.folder !== 'string' || !COMPILED_FOLDER.test(record.folder) || !Array.isArray(record.inputs) || record.inputs.length === 0) return undefined;
  if (typeof record.codeHash !== 'string') return undefined; // written by an older harness
  const dir = join(cacheRoot, record.folder);
  if (!existsSync(dir)) return undefined;
  for (const [path, size, mtimeMs, ctimeMs] of record.inputs) {
    try {
      const now = statSync(path);
      if (now.size !== size || now.mtimeMs !== mtimeMs || now.ctimeMs !== ctimeMs) return undefined;
    } catch {
      return undefined; // an input is gone
    }
  }
  markUsed(dir);
  markUsed(recordPath);
  return { dir, codeHash: record.codeHash };
}

function build(settings: ReturnType<typeof buildSettings>, name: string, recordPath: string): { dir: string; codeHash: string } {
  const started = Date.now();
  // Loaded only to compile: a command whose compiled code is current never imports esbuild
  // (about 20 ms).
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({ ...settings, metafile: true as const });
  const hash = createHash('sha256');
  for (const f of result.outputFiles) hash.update(f.path).update('\0').update(f.contents).update('\0');
  const folder = `${name}-${hash.digest('hex').slice(0, 16)}`;
  const dir = join(cacheRoot, folder);
  if (existsSync(dir)) markUsed(dir);
  else writeFolderAtomically(dir, result.outputFiles.map((f) => [relative('/', f.path), f.contents] as const));
  // esbuild's own package is an input too: another version may compile the same sources otherwise.
  const esbuildPackage = require.resolve('esbuild/package.json');
  const inputs = [...Object.keys(result.metafile.inputs).map((input) => resolve(input)), esbuildPackage].map(stamp);
  // A file written while esbuild ran (or just before: file times are coarse) may not be what it
  // read; without a record the next process compiles again.
  const settled = inputs.every((s) => s !== undefined && s[2] < started - STAMP_MARGIN_MS);
  const codeHash = codeHashOf(result.metafile);
  if (settled) writeRecord(recordPath, { folder, codeHash, inputs: inputs as InputStamp[] });
  return { dir, codeHash };
}

/** See CompiledModule.codeHash. */
function codeHashOf(metafile: Metafile): string {
  const entry = Object.keys(metafile.outputs).find((path) => metafile.outputs[path]!.entryPoint !== undefined);
  const seen = new Set<string>();
  const sources = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output) || !metafile.outputs[output]) return;
    seen.add(output);
    const { inputs, imports } = metafile.outputs[output]!;
    for (const input of Object.keys(inputs)) sources.add(input);
    for (const imported of imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  if (entry !== undefined) visit(entry);
  const hash = createHash('sha256');
  for (const source of [...sources].map((input) => relative(projectRoot, resolve(input))).sort()) {
    hash.update(source).update('\0');
    try {
      hash.update(readFileSync(resolve(projectRoot, source)));
    } catch {
      hash.update('(unreadable)'); // esbuild's own modules, which are no files
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Files changed this close to a compilation are not trusted to be what it read. */
const STAMP_MARGIN_MS = 1000;

function stamp(path: string): InputStamp | undefined {
  try {
    const s = statSync(path);
    return [path, s.size, s.mtimeMs, s.ctimeMs];
  } catch {
    return undefined;
  }
}

function writeRecord(path: string, record: BuildRecord): void {
  try {
    writeFileAtomically(path, JSON.stringify(record));
  } catch {
    // Without a record the next process compiles again: slower, never wrong.
  }
}

function markUsed(path: string): void {
  const now = new Date();
  try {
    utimesSync(path, now, now); // in use: see pruneCompiled
  } catch {
    // Removed meanwhile by another process's pruning: this run has what it needs.
  }
}

let pruned = false;

/** A compiled folder or record unused this long goes: every change to the sources leaves one behind. */
export const COMPILED_KEPT_MS = 7 * 24 * 3600 * 1000;

/** A compiled folder: `<name>-<16 hex>`. */
const COMPILED_FOLDER = /^[\w.-]+-[0-9a-f]{16}$/;

/**
 * A compiled folder, its build record (`.inputs.json`), or what a process that died while
 * writing one left (a staging folder, a record's hidden temporary file: `.<pid>.<host tag>.tmp-`,
 * or `.<pid>.tmp-` as an older harness named it).
 */
const COMPILED_ENTRY = /^(\.\d+(\.[0-9a-f]{8})?\.tmp-)?[\w.-]+-[0-9a-f]{16}(\.inputs\.json)?(\.\d+(\.\w+)?\.tmp)?$/;

/**
 * Removes compiled folders and build records under `root` last used (written, or reused: see
 * compile) more than COMPILED_KEPT_MS before `now`. Anything else there (the figure cache) is
 * left alone.
 */
export function pruneCompiled(root: string, now: number): void {
  for (const entry of existsSync(root) ? readdirSync(root, { withFileTypes: true }) : []) {
    if (!COMPILED_ENTRY.test(entry.name)) continue;
    const path = join(root, entry.name);
    try {
      if (now - statSync(path).mtimeMs > COMPILED_KEPT_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by another process: nothing to do.
    }
  }
}
