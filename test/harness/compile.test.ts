/** The compiled-worker cache: content-addressed folders, removed after a week unused. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledModulePath, COMPILED_KEPT_MS, pruneCompiled } from '../../harness/pool/compile.js';

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
    const staleStaging = folder('noop-0123456789abcdef.4242.k3j2.tmp', COMPILED_KEPT_MS + 60_000);
    const recent = folder('worker-fedcba9876543210', COMPILED_KEPT_MS - 60_000);
    const figures = folder('figures', COMPILED_KEPT_MS * 10);
    pruneCompiled(root, now);
    expect([stale, staleStaging].map(existsSync)).toEqual([false, false]);
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
});
