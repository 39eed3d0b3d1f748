/**
 * `harness export`'s formats as an analyst reads them: the format from --out's name when none is
 * asked for (and a name of the other format refused), a REAL column's whole values written as
 * reals in CSV and JSON (so that a reader infers one type for the column whichever rows it
 * holds), NULL as an empty field or null, and the data dictionary (`--table columns`).
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as msg from '../../harness/messages.js';
import { cli, noopStudy, tempDir, writeStudy } from './helpers.js';

const dir = tempDir('harness-export-format-');
const db = 'results/exportformat.sqlite';

beforeAll(async () => {
  writeStudy(dir, 'noop.yaml', noopStudy({ name: 'exportformat' }));
  expect((await cli(['run', 'noop.yaml', '--threads', '1'], dir)).code).toBe(0);
  // The first cell's REAL result a whole number, the second's NULL.
  const d = new Database(join(dir, db));
  d.exec('UPDATE trial SET value = 2 WHERE cell_index = 0; UPDATE trial SET value = NULL WHERE cell_index = 1');
  d.close();
});

describe('export formats', () => {
  it('takes the format from --out when none is asked for, and refuses a name of the other one', async () => {
    expect((await cli(['export', db, '--out', 'a.json'], dir)).code).toBe(0);
    expect(() => JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'))).not.toThrow();
    expect((await cli(['export', db, '--out', 'a.CSV'], dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'a.CSV'), 'utf8').startsWith('cell_index,')).toBe(true);
    expect((await cli(['export', db, '--out', 'a.txt'], dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8').startsWith('cell_index,')).toBe(true);
    const refused = await cli(['export', db, '--format', 'csv', '--out', 'b.json'], dir);
    expect(refused).toEqual({ code: 2, stdout: '', stderr: `${msg.exportFormatNotNamed('csv', 'b.json', 'json')}\n` });
    expect(refused.stderr).toContain('--format: is csv, but --out "b.json" is named for json');
  });

  it('warns, on stderr after the rows, where the study is incomplete or has failed trials; not where it is finished', async () => {
    const whole = await cli(['export', db], dir);
    expect(whole.stderr).toBe('');
    copyFileSync(join(dir, db), join(dir, 'partial.sqlite'));
    const d = new Database(join(dir, 'partial.sqlite'));
    d.exec(`DELETE FROM trial WHERE cell_index < 3; UPDATE trial SET status = 'failed', value = NULL, error = 'x' WHERE cell_index = 3`);
    const total = (d.prepare('SELECT count(*) FROM trial').pluck().get() as number) + 3;
    d.close();
    const partial = await cli(['export', 'partial.sqlite'], dir);
    expect(partial.code).toBe(0);
    expect(partial.stdout.trimEnd().split('\n')).toHaveLength(total - 3 + 1);
    expect(partial.stderr).toBe(`${msg.exportIncomplete('partial.sqlite', total - 4, 1, total, false)}\n`);
    expect(partial.stderr).toContain(`; its 1 failed trial is a row with status "failed" and no results. "harness status partial.sqlite" says what is missing.`);
    // A path pasted into the command it gives is quoted for the shell.
    expect(msg.exportIncomplete('my results/p.sqlite', 1, 0, 2, false)).toContain(`"harness status 'my results/p.sqlite'" says what is missing.`);
    // The runs table is the same whatever the study's state.
    expect((await cli(['export', 'partial.sqlite', '--table', 'runs'], dir)).stderr).toBe('');
  });

  it('refuses an --out named for a file it does not write (compressed, tab-separated, a spreadsheet), saying what to do instead; nothing is written', async () => {
    const gzip = await cli(['export', db, '--out', 'c.csv.gz'], dir);
    expect(gzip).toEqual({ code: 2, stdout: '', stderr: `${msg.exportOutNamedOtherwise('c.csv.gz', '.gz', 'a gzip file', 'c.csv', 'harness export <db> | gzip > c.csv.gz')}\n` });
    expect(gzip.stderr).toContain('Write "c.csv" and compress it, or pipe the rows: harness export <db> | gzip > c.csv.gz');
    // The command it gives writes what the name asks for, with this export's options.
    const json = await cli(['export', db, '--table', 'curves', '--results-only', '--out', 'my curves.json.xz'], dir);
    expect(json.stderr).toContain("or pipe the rows: harness export <db> --format json --table curves --results-only | xz > 'my curves.json.xz'");
    for (const [out, is] of [['c.TSV', 'tab-separated values'], ['c.xlsx', 'a spreadsheet'], ['c.jsonl', 'JSON lines']]) {
      expect((await cli(['export', db, '--out', out!], dir)).stderr).toContain(`--out: names ${is} (${out!.slice(out!.lastIndexOf('.'))}), and export writes plain CSV or JSON`);
    }
    expect(['c.csv.gz', 'c.csv', 'c.TSV', 'c.xlsx', 'c.jsonl'].filter((f) => existsSync(join(dir, f)))).toEqual([]);
  });

  it('writes a REAL column\'s whole values as reals, and NULL as an empty field or null', async () => {
    const csv = (await cli(['export', db, '--results-only'], dir)).stdout.split('\n');
    const header = csv[0]!.split(',');
    const at = (line: string, column: string) => line.split(',')[header.indexOf(column)];
    expect([at(csv[1]!, 'value'), at(csv[1]!, 'rank'), at(csv[2]!, 'value')]).toEqual(['2.0', expect.stringMatching(/^\d+$/), '']);
    const json = (await cli(['export', db, '--format', 'json', '--results-only'], dir)).stdout;
    const lines = json.split('\n');
    expect(lines[1]).toContain('"value":2.0,');
    expect(lines[2]).toContain('"value":null,');
    // Still JSON, with the same numbers; an INTEGER column stays integral.
    const rows = JSON.parse(json) as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({ value: 2 });
    expect(Number.isInteger(rows[0]!['rank'])).toBe(true);
    expect(lines[1]).not.toMatch(/"rank":\d+\.0/);
  });

  it('exports the data dictionary: every column of every table, with its kind, type and description', async () => {
    const csv = (await cli(['export', db, '--table', 'columns'], dir)).stdout.split('\n');
    expect(csv[0]).toBe('tbl,name,kind,type,description');
    expect(csv).toContain('trial,value,result,REAL,A number from the seed.');
    expect(csv).toContain('curve,y,result,REAL,u * scale * (x + 1).');
    const d = new Database(join(dir, db), { readonly: true });
    const described = d.prepare('SELECT count(*) FROM column_info').pluck().get() as number;
    d.close();
    expect(csv.filter((l) => l !== '').length).toBe(described + 1);
  });
});
