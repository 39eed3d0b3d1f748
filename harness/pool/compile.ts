/**
 * Worker code as plain JavaScript. A worker thread on Node 20 does not inherit the parent's
 * TypeScript loader, and registering one in every worker costs about half a second and tens of
 * megabytes per thread. So the main thread compiles a worker's entry module (and everything it
 * imports from this project) once, with esbuild, into a content-addressed folder under
 * `node_modules/.cache/harness/`, and workers import that. Packages stay external imports, which
 * resolve from the project's node_modules because the cache lives inside it. Dynamic imports
 * become separate chunks, so code a worker never calls (a report) is never loaded there.
 *
 * The output is a pure function of the sources: the same sources give the same folder, which
 * is written once (see writeFolderAtomically) and reused by later runs; folders unused for a
 * week are removed (pruneCompiled).
 */
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFolderAtomically } from '../files.js';
import { projectRoot } from '../paths.js';

const cacheRoot = join(projectRoot, 'node_modules', '.cache', 'harness');
const compiled = new Map<string, string>();

/** Path of the compiled JavaScript for the module at `entry` (a path or a file URL). */
export function compiledModulePath(entry: string | URL): string {
  const file = entry instanceof URL || entry.startsWith('file:') ? fileURLToPath(entry) : entry;
  let out = compiled.get(file);
  if (out === undefined) {
    out = compile(file);
    compiled.set(file, out);
  }
  return out;
}

/** File URL of the compiled module, for `import()`. */
export function compiledModuleUrl(entry: string | URL): string {
  return pathToFileURL(compiledModulePath(entry)).href;
}

function compile(file: string): string {
  const name = basename(file).replace(/\.[cm]?[jt]s$/, '');
  const result = buildSync({
    entryPoints: { [name]: file },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: '/',
    write: false,
    sourcemap: 'inline',
    sourceRoot: projectRoot,
    logLevel: 'silent',
  });
  const hash = createHash('sha256');
  for (const f of result.outputFiles) hash.update(f.path).update('\0').update(f.contents).update('\0');
  const dir = join(cacheRoot, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) {
    const now = new Date();
    utimesSync(dir, now, now); // in use: see pruneCompiled
  } else {
    writeFolderAtomically(dir, result.outputFiles.map((f) => [relative('/', f.path), f.contents] as const));
  }
  if (!pruned) {
    pruned = true;
    pruneCompiled(cacheRoot, Date.now());
  }
  return join(dir, `${name}.js`);
}

let pruned = false;

/** A compiled folder unused this long goes: every change to the sources leaves one behind. */
export const COMPILED_KEPT_MS = 7 * 24 * 3600 * 1000;

/** A compiled folder (`<name>-<16 hex>`) or what a process that died while writing one left. */
const COMPILED_FOLDER = /^[\w.-]+-[0-9a-f]{16}(\.\d+\.\w+\.tmp)?$/;

/**
 * Removes compiled folders under `root` last used (written, or reused: see compile) more than
 * COMPILED_KEPT_MS before `now`. Anything else there (the figure cache) is left alone.
 */
export function pruneCompiled(root: string, now: number): void {
  for (const entry of existsSync(root) ? readdirSync(root, { withFileTypes: true }) : []) {
    if (!entry.isDirectory() || !COMPILED_FOLDER.test(entry.name)) continue;
    const path = join(root, entry.name);
    try {
      if (now - statSync(path).mtimeMs > COMPILED_KEPT_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by another process: nothing to do.
    }
  }
}
