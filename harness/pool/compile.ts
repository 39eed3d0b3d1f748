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
 * is written once (see writeFolderAtomically) and reused by later runs.
 */
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
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
  if (!existsSync(dir)) writeFolderAtomically(dir, result.outputFiles.map((f) => [relative('/', f.path), f.contents] as const));
  return join(dir, `${name}.js`);
}
