/**
 * A report may name the file a reader opens first and a short summary: `run --report` and
 * `report` then print where the page is and the summary, after the count of files written.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as msg from '../../harness/messages.js';
import { cli, fixtures, noopStudy, tempDir, writeStudy } from './helpers.js';

const dir = tempDir();
const study = writeStudy(dir, 'summary.yaml', noopStudy({ name: 'with-summary', experiment: join(fixtures, 'experiments', 'noop-summary.ts') }));
const written = msg.reportWritten(2, join('reports', 'with-summary'), join('reports', 'with-summary', 'page', 'index.html'));
const summary = '# with-summary\n27 trials ok';

describe('a report with an entry page and a summary', () => {
  it('run --report prints where the page is, then the summary; a resumed run prints the same', async () => {
    const first = await cli(['run', study, '--report'], dir);
    expect(first.code).toBe(0);
    expect(first.stdout.endsWith(`${written}\n\n${summary}\n`)).toBe(true);
    const again = await cli(['run', study, '--report'], dir);
    expect(again.stdout).toBe(`${msg.runNothingToDo(27, join('results', 'with-summary.sqlite'))}\n${written}\n\n${summary}\n`);
  });

  it('report prints them too; a report without them prints the count alone', async () => {
    const report = await cli(['report', join('results', 'with-summary.sqlite'), '--out', 'out'], dir);
    expect(report.stdout).toBe(`${msg.reportWritten(2, 'out', join('out', 'page', 'index.html'))}\n\n${summary}\n`);
    expect(msg.reportWritten(2, 'out')).toBe('Wrote 2 report files to out.');
  });
});
