/**
 * A content-addressed cache of drawn figures, so that a report rebuilt from unchanged results
 * (a resumed run with nothing new, `npm start` run again) skips drawing.
 *
 * An entry's key is the hash of the figure request (spec, PNG scale, title) and of everything
 * else its bytes depend on: the rendering code (the compiled worker's content hash), the
 * versions of the packages that draw, and the font files. A hit therefore returns exactly the
 * bytes a drawing would give. Entries live under node_modules/.cache/harness/figures (one folder
 * each, written whole by writeFolderAtomically, so a reader never sees half an entry); the
 * least recently used go once the folder outgrows its limit. HARNESS_RENDER_CACHE names another
 * folder, or turns the cache off with `off`. A cache that cannot be read or written never fails
 * a report: it is skipped.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '../experiment.js';
import { makeFolders, writeFolderAtomically } from '../files.js';
import { identityHash, sha256 } from '../identity.js';
import { projectRoot } from '../paths.js';
import { FACES, fontFile } from './fonts.js';
import type { FigureDrawings } from './worker.js';

/** Packages whose code decides a drawing's bytes. */
const DRAWING_PACKAGES = ['vega', 'vega-lite', '@napi-rs/canvas'];
/** A staging folder this old was left by a process that died while storing. */
const STALE_STAGING_MS = 60 * 60 * 1000;
/** Above this the least recently used entries are removed (a paper report's figures take about 8 MB). */
const LIMIT_BYTES = 256 * 1024 * 1024;
const DEFAULT_DIR = join(projectRoot, 'node_modules', '.cache', 'harness', 'figures');
const FILES = { vega: 'vega.json', svg: 'figure.svg', png: 'figure.png', pdf: 'figure.pdf' } as const;
type Part = keyof typeof FILES;
const PARTS = Object.keys(FILES) as Part[];
const CHECKSUMS = 'sha256.json';
/** A set's entry (see holdsSet) lives beside the figures and is pruned like them. */
const SET_FILE = 'figures.json';
const setEntry = (set: string) => `set-${identityHash(set)}`;

export interface FigureKey {
  spec: Json;
  pngScale: number;
  title?: string;
}

export class FigureCache {
  private constructor(
    readonly dir: string,
    private readonly renderer: string,
  ) {}

  /**
   * The cache in `dir`, else in the folder HARNESS_RENDER_CACHE names, else the project's; null
   * when HARNESS_RENDER_CACHE=off or the folder cannot be created.
   */
  static open(rendererCode: string, dir?: string): FigureCache | null {
    const setting = process.env.HARNESS_RENDER_CACHE;
    if (setting === 'off') return null;
    dir ??= setting || DEFAULT_DIR;
    try {
      makeFolders(dir);
      return new FigureCache(dir, rendererIdentity(rendererCode));
    } catch {
      return null;
    }
  }

  key(request: FigureKey): string {
    return identityHash({ renderer: this.renderer, figure: request as unknown as Json });
  }

  /** The stored drawings, or undefined when there are none or they fail their checksums. */
  get(key: string): FigureDrawings | undefined {
    const entry = join(this.dir, key);
    let contents: Record<Part, Buffer>;
    try {
      contents = Object.fromEntries(PARTS.map((part) => [part, readFileSync(join(entry, FILES[part]))])) as Record<Part, Buffer>;
      const sums = JSON.parse(readFileSync(join(entry, CHECKSUMS), 'utf8')) as Record<Part, string>;
      if (PARTS.some((part) => sums[part] !== sha256(contents[part]))) throw new Error('checksum mismatch');
    } catch {
      // Missing, or damaged (a disk error, a hand edit): drawn again and stored afresh.
      rmSync(entry, { recursive: true, force: true });
      return undefined;
    }
    const now = new Date();
    safely(() => utimesSync(entry, now, now)); // recently used: kept longest (unless pruned meanwhile)
    return {
      vega: JSON.parse(contents.vega.toString('utf8')),
      svg: contents.svg.toString('utf8'),
      png: new Uint8Array(contents.png),
      pdf: new Uint8Array(contents.pdf),
    };
  }

  put(key: string, drawings: FigureDrawings): void {
    const contents: Record<Part, Buffer> = {
      vega: Buffer.from(JSON.stringify(drawings.vega)),
      svg: Buffer.from(drawings.svg),
      png: Buffer.from(drawings.png),
      pdf: Buffer.from(drawings.pdf),
    };
    const checksums = JSON.stringify(Object.fromEntries(PARTS.map((part) => [part, sha256(contents[part])])));
    // Fails quietly when the disk refuses: the figure is simply drawn again next time.
    safely(() => writeFolderAtomically(join(this.dir, key), [...PARTS.map((part) => [FILES[part], contents[part]] as const), [CHECKSUMS, checksums]]));
  }

  /**
   * Whether the figures that `set` (a name the caller gives a set of figures, e.g. a report of
   * given results) used last time, as `recordSet` wrote, are all still here: a hint that the
   * set needs no drawing. A wrong hint costs time only, never bytes.
   */
  holdsSet(set: string): boolean {
    const keys = safely(() => JSON.parse(readFileSync(join(this.dir, setEntry(set), SET_FILE), 'utf8')) as string[]);
    return Array.isArray(keys) && keys.every((key) => existsSync(join(this.dir, key, CHECKSUMS)));
  }

  recordSet(set: string, keys: readonly string[]): void {
    const entry = join(this.dir, setEntry(set));
    safely(() => {
      rmSync(entry, { recursive: true, force: true }); // the latest record replaces the last
      writeFolderAtomically(entry, [[SET_FILE, JSON.stringify([...new Set(keys)].sort())]]);
    });
  }

  /**
   * Removes the least recently used entries until the cache fits its limit, and staging folders
   * left by processes that died while storing.
   */
  prune(limitBytes = LIMIT_BYTES): void {
    const entries: { path: string; bytes: number; used: number }[] = [];
    for (const name of safely(() => readdirSync(this.dir)) ?? []) {
      const path = join(this.dir, name);
      const info = safely(() => ({ used: statSync(path).mtimeMs, bytes: readdirSync(path).reduce((sum, file) => sum + statSync(join(path, file)).size, 0) }));
      if (!info) continue; // removed meanwhile by another process
      if (name.endsWith('.tmp')) {
        if (info.used < Date.now() - STALE_STAGING_MS) rmSync(path, { recursive: true, force: true });
      } else {
        entries.push({ path, ...info });
      }
    }
    entries.sort((a, b) => b.used - a.used);
    let total = 0;
    for (const entry of entries) {
      total += entry.bytes;
      if (total > limitBytes) rmSync(entry.path, { recursive: true, force: true });
    }
  }
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function rendererIdentity(rendererCode: string): string {
  const versions = Object.fromEntries(
    DRAWING_PACKAGES.map((name) => [name, (JSON.parse(readFileSync(join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version]),
  );
  const fonts = FACES.map((face) => {
    const stat = statSync(fontFile(face));
    return { face, bytes: stat.size, modified: stat.mtimeMs };
  });
  return identityHash({ code: rendererCode, versions, fonts });
}
