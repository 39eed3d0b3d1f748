/**
 * The compiled-worker cache: content-addressed folders, removed after a week unused, and reused
 * without running esbuild while every file a compilation read is unchanged.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledModule, compiledModulePath, COMPILED_KEPT_MS, pruneCompiled } from '../../harness/pool/compile.js';
import { projectRoot } from '../../harness/paths.js';

const compileModule = new URL('../../harness/pool/compile.ts', import.meta.url).href;

describe('compiled worker code', () => {
  const root = mkdtempSync(join(tmpdir(), 'compiled-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const now = Date.now();
  const folder = (name: string, ageMs: number): string => {
    const path = join(root, name);
    mkdirSync(path, { recursive: true });
    const at = new Date(now - ageMs);
    utimesSync(path, at, at);
    return path;
  };

  it('removes compiled folders unused for longer than a week, and leaves everything else', () => {
    const stale = folder('worker-0123456789abcdef', COMPILED_KEPT_MS + 60_000);
    const staleRecord = join(root, 'worker-0123456789abcdef.inputs.json');
    const staleRecordTemp = join(root, '.4242.tmp-worker-0123456789abcdef.inputs.json');
    const staleHostRecordTemp = join(root, '.4242.0a1b2c3d.tmp-worker-0123456789abcdef.inputs.json');
    for (const file of [staleRecord, staleRecordTemp, staleHostRecordTemp]) {
      writeFileSync(file, '{}');
      utimesSync(file, new Date(now - COMPILED_KEPT_MS - 60_000), new Date(now - COMPILED_KEPT_MS - 60_000));
    }
    const staleStaging = folder('noop-0123456789abcdef.4242.k3j2.tmp', COMPILED_KEPT_MS + 60_000);
    const recent = folder('worker-fedcba9876543210', COMPILED_KEPT_MS - 60_000);
    const figures = folder('figures', COMPILED_KEPT_MS * 10);
    pruneCompiled(root, now);
    expect([stale, staleStaging, staleRecord, staleRecordTemp, staleHostRecordTemp].map(existsSync)).toEqual([false, false, false, false, false]);
    expect([recent, figures].map(existsSync)).toEqual([true, true]);
  });

  it('marks a folder as used when a later process reuses it', () => {
    const entry = new URL('../fixtures/experiments/noop.ts', import.meta.url);
    const folderOf = () => join(compiledModulePath(entry), '..');
    const old = new Date(now - COMPILED_KEPT_MS / 2);
    utimesSync(folderOf(), old, old);
    // This process remembers its compilations; a new one looks the folder up again.
    execFileSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(compileModule)}).then((m) => m.compiledModulePath(${JSON.stringify(entry.href)}))`]);
    expect(statSync(folderOf()).mtimeMs).toBeGreaterThan(now - 60_000);
  });

  it('appends a source map unless asked not to, and keeps the two apart', () => {
    const entry = new URL('../fixtures/experiments/noop.ts', import.meta.url);
    const mapped = compiledModulePath(entry);
    const bare = compiledModulePath(entry, { sourceMap: false });
    expect(bare).not.toBe(mapped);
    expect(readFileSync(mapped, 'utf8')).toContain('sourceMappingURL=data:');
    expect(readFileSync(bare, 'utf8')).not.toContain('sourceMappingURL');
  });

  it("hashes the code a module runs: its static imports' sources, not what it imports dynamically", () => {
    const sources = mkdtempSync(join(tmpdir(), 'code-hash-'));
    try {
      const entry = join(sources, `hashed${process.pid}.ts`);
      writeFileSync(join(sources, 'helper.ts'), 'export const answer: number = 42;\n');
      writeFileSync(join(sources, 'late.ts'), 'export const report = "first";\n');
      writeFileSync(entry, "import { answer } from './helper';\nexport default answer;\nexport const later = () => import('./late');\n");
      /** From a fresh process each time (a process remembers its own compilations). */
      const hashInChild = (): string =>
        execFileSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(compileModule)}).then((m) => process.stdout.write(m.compiledModule(${JSON.stringify(entry)}).codeHash))`], { encoding: 'utf8' });
      const first = hashInChild();
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(compiledModule(entry).codeHash).toBe(first);
      writeFileSync(join(sources, 'late.ts'), 'export const report = "second";\n');
      expect(hashInChild()).toBe(first);
      writeFileSync(join(sources, 'helper.ts'), 'export const answer: number = 43;\n');
      expect(hashInChild()).not.toBe(first);
    } finally {
      rmSync(sources, { recursive: true, force: true });
      const cacheRoot = join(projectRoot, 'node_modules', '.cache', 'harness');
      for (const f of readdirSync(cacheRoot).filter((f) => f.startsWith(`hashed${process.pid}-`))) rmSync(join(cacheRoot, f), { recursive: true, force: true });
    }
  });

  describe('reuse without compiling', () => {
    // A module of its own in a folder of its own, so that the test controls every input.
    const sources = mkdtempSync(join(tmpdir(), 'compile-inputs-'));
    const name = `stamped${process.pid}`;
    const entry = join(sources, `${name}.ts`);
    const helper = join(sources, 'helper.ts');
    const cacheRoot = join(projectRoot, 'node_modules', '.cache', 'harness');
    const ours = () => readdirSync(cacheRoot).filter((f) => f.startsWith(`${name}-`));
    afterAll(() => {
      for (const f of ours()) rmSync(join(cacheRoot, f), { recursive: true, force: true });
      rmSync(sources, { recursive: true, force: true });
    });
    /** The compiled path, from a fresh process (a process remembers its own compilations). */
    const compileInChild = (): string =>
      execFileSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(compileModule)}).then((m) => process.stdout.write(m.compiledModulePath(${JSON.stringify(entry)})))`], { encoding: 'utf8' });
    const age = (path: string, ms: number) => utimesSync(path, new Date(now - ms), new Date(now - ms));
    const recordOf = () => join(cacheRoot, ours().find((f) => f.endsWith('.inputs.json')) as string);

    it('records the files a compilation read, and a later process trusts the record while they are unchanged', () => {
      writeFileSync(helper, 'export const answer: number = 42;\n');
      writeFileSync(entry, "import { answer } from './helper';\nexport default answer;\n");
      // Written just now, the sources are not trusted yet (file times are coarse): no record.
      const first = compileInChild();
      expect(ours().filter((f) => f.endsWith('.inputs.json'))).toEqual([]);
      age(entry, 60_000);
      age(helper, 60_000);
      expect(compileInChild()).toBe(first);
      const record = JSON.parse(readFileSync(recordOf(), 'utf8')) as { folder: string; inputs: [string, number, number][] };
      expect(record.folder).toBe(basename(dirname(first)));
      // The sources, and esbuild's package (another version may compile them otherwise).
      expect(record.inputs.map(([path]) => path).sort()).toEqual([entry, helper, join(projectRoot, 'node_modules', 'esbuild', 'package.json')].sort());

      // Point the record at a copy: a process that ran esbuild would return the original folder.
      const copy = join(cacheRoot, `${name}-0000000000000000`);
      cpSync(dirname(first), copy, { recursive: true });
      writeFileSync(recordOf(), JSON.stringify({ ...record, folder: basename(copy) }));
      expect(compileInChild()).toBe(join(copy, `${name}.js`));
    });

    it('compiles again when an input changes, is gone, or the record is unreadable or names another folder', () => {
      const trusted = compileInChild();
      expect(trusted).toContain(`${name}-0000000000000000`);
      // Same size, another time: compiled again (the content is the same, so is the folder).
      age(helper, 30_000);
      const again = compileInChild();
      expect(basename(dirname(again))).not.toBe(`${name}-0000000000000000`);
      expect(existsSync(again)).toBe(true);

      // A changed input gives another folder.
      writeFileSync(helper, 'export const answer: number = 43;\n');
      age(helper, 60_000);
      const changed = compileInChild();
      expect(changed).not.toBe(again);
      expect(readFileSync(changed, 'utf8')).toContain('43');

      // The same size and modification time, other content (a copy that keeps times): the
      // system's change time tells.
      const { mtime } = statSync(helper);
      writeFileSync(helper, 'export const answer: number = 44;\n');
      utimesSync(helper, mtime, mtime);
      const copied = compileInChild();
      expect(readFileSync(copied, 'utf8')).toContain('44');
      writeFileSync(helper, 'export const answer: number = 43;\n');
      age(helper, 60_000);
      expect(compileInChild()).toBe(changed);

      writeFileSync(recordOf(), '{ not json');
      expect(compileInChild()).toBe(changed);
      // A record may only name a compiled folder of the cache, not one beside it.
      const record = JSON.parse(readFileSync(recordOf(), 'utf8')) as { folder: string };
      const outside = join(cacheRoot, '..', record.folder);
      cpSync(dirname(changed), outside, { recursive: true });
      try {
        writeFileSync(recordOf(), JSON.stringify({ ...record, folder: `../${record.folder}` }));
        expect(compileInChild()).toBe(changed);
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
      rmSync(dirname(changed), { recursive: true });
      expect(compileInChild()).toBe(changed);
      expect(existsSync(changed)).toBe(true);
    });
  });
});
