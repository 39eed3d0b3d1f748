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
 * is written once (to a temporary name, then renamed) and reused by later runs.
 */
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  if (!existsSync(dir)) {
    const staging = `${dir}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    for (const f of result.outputFiles) {
      const target = join(staging, relative('/', f.path));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.contents);
    }
    try {
      renameSync(staging, dir);
    } catch (thrown) {
      // Another process wrote the same folder first: its content is identical.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(dir)) throw thrown;
    }
  }
  return join(dir, `${name}.js`);
}
