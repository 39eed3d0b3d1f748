/**
 * The report of an unfinished study (ReportInput.coverage: fewer trials than the study has)
 * says so where a reader sees it: at the top of the page and of each of its sections, in its
 * title, at the top of claims.md (the summary the harness prints), in summary.json, and in
 * every figure's subtitle. A complete study's report is what it always was.
 */
import { describe, expect, it } from 'vitest';
import type { ReportFile, ReportInput } from '../../harness/experiment.js';
import { reportDocuments, reportSummary } from '../../experiments/inference-scaling/report/index.js';
import { incompleteFigureNote, incompleteWarning, mixedCodeWarning } from '../../experiments/inference-scaling/report/page.js';
import { latexMessage } from '../../harness/render/latex.js';
import { escapeHtml } from '../../harness/render/table.js';
import { syntheticReportInput } from './synthetic.js';

const small = (): ReportInput => syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 4, kCount: 8 });

const text = (files: ReportFile[], path: string): string => {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`${path} not produced`);
  return typeof f.content === 'string' ? f.content : Buffer.from(f.content).toString('utf8');
};

describe('the report of an incomplete study', () => {
  it('carries the warning on the page, in claims.md, in summary.json and in every figure', async () => {
    const input = small();
    const coverage = { done: input.trials.length, expected: 2496 + 6480 };
    const files = await reportDocuments({ ...input, coverage });
    const warning = incompleteWarning(coverage)!;
    expect(warning).toContain(`covers ${coverage.done} of the 8976 trials`);
    expect(warning).toContain('provisional');

    const page = text(files, 'index.html');
    // First thing after the heading, before the claims and their verdicts.
    expect(page.indexOf('<div class="incomplete" role="alert">')).toBeGreaterThan(page.indexOf('<h1>'));
    expect(page.indexOf('<div class="incomplete" role="alert">')).toBeLessThan(page.indexOf('<h2 id="claims">'));
    expect(page).toContain(warning);
    expect(page).toMatch(/<title>[^<]*INCOMPLETE: \d+ of 8976 trials/);
    for (const section of ['claims', 'figures', 'tables']) {
      expect(page.slice(page.indexOf(`<h2 id="${section}">`)).split('\n')[1]).toContain('class="incomplete">Provisional');
    }

    const claims = text(files, 'claims.md').split('\n');
    expect(claims[0]).toMatch(/^# /);
    expect(claims[2]).toBe(`**${warning}**`);

    const summary = JSON.parse(text(files, 'summary.json')) as Record<string, unknown>;
    expect(summary).toMatchObject({ complete: false, trials: { done: coverage.done, expected: 8976 }, warning });
    expect(reportSummary({ ...input, coverage })).toMatchObject({ complete: false });
    // A paper that quotes its numbers gets the warning in its LaTeX log.
    expect(text(files, 'numbers.tex').split('\n')[3]).toBe(`\\PackageWarningNoLine{studynumber}{${latexMessage(warning)}}`);
    // So does every table: in Markdown under its heading, in LaTeX in the log of a paper that inputs it.
    const tables = files.filter((f) => f.path.startsWith('tables/'));
    expect(tables.filter((f) => f.path.endsWith('.md')).length).toBeGreaterThan(5);
    for (const table of tables.filter((f) => f.path.endsWith('.md'))) expect(text(files, table.path).split('\n')[2]).toBe(`**${warning}**`);
    for (const table of tables.filter((f) => f.path.endsWith('.tex'))) {
      expect(text(files, table.path).split('\n').slice(1, 3)).toEqual([`% ${warning}`, `\\PackageWarningNoLine{studytable}{${latexMessage(warning)}}`]);
    }

    const note = incompleteFigureNote(coverage)!;
    const specs = files.filter((f) => f.path.endsWith('.vl.json'));
    expect(specs.length).toBeGreaterThan(5);
    for (const spec of specs) expect((JSON.parse(text(files, spec.path)) as { title: { subtitle: string[] } }).title.subtitle[0]).toBe(note);
  });

  it('of trials computed by two versions of the code, says so as it does an incomplete study, both warnings together', async () => {
    const input = small();
    const codeVersions = [
      { codeHash: 'a'.repeat(64), runs: [1, 2], trials: 100 },
      { codeHash: 'b'.repeat(64), runs: [3], trials: input.trials.length - 100 },
    ];
    const files = await reportDocuments({ ...input, codeVersions });
    const warning = mixedCodeWarning(codeVersions)!;
    expect(warning).toBe(
      `Mixed code: the trials of this report were computed by 2 versions of the experiment's code (aaaaaaaaaaaa: 100 trials, runs 1, 2; bbbbbbbbbbbb: ${input.trials.length - 100} trials, run 3), ` +
        'as a run resumed after the code changed, so its numbers may mix their results; rerun the study with --fresh and report again before quoting anything from it.',
    );
    const page = text(files, 'index.html');
    expect(page.indexOf(`<div class="incomplete" role="alert"><strong>${escapeHtml(warning)}</strong></div>`)).toBeLessThan(page.indexOf('<h2 id="claims">'));
    expect(page).toMatch(/<title>[^<]*\(MIXED CODE\)/);
    expect(text(files, 'claims.md').split('\n')[2]).toBe(`**${warning}**`);
    expect(JSON.parse(text(files, 'summary.json'))).toMatchObject({ mixedCode: { versions: codeVersions, warning } });
    // reportSummary computes summary.json, mixed code and all, without drawing anything.
    expect(reportSummary({ ...input, codeVersions })).toEqual(JSON.parse(text(files, 'summary.json')));
    expect(text(files, 'tables/balanced.md').split('\n')[2]).toBe(`**${warning}**`);
    const subtitle = (path: string) => (JSON.parse(text(files, path)) as { title: { subtitle: string[] } }).title.subtitle;
    expect(subtitle('figures/picks.vl.json')[0]).toBe("MIXED CODE: trials computed by 2 versions of the experiment's code");
    // Unfinished as well: both, the incomplete study's first.
    const coverage = { done: input.trials.length, expected: 2 * input.trials.length };
    const both = await reportDocuments({ ...input, coverage, codeVersions });
    expect(text(both, 'claims.md').split('\n')[2]).toBe(`**${incompleteWarning(coverage)} ${warning}**`);
    expect(JSON.parse(text(both, 'figures/picks.vl.json')).title.subtitle.slice(0, 2)).toEqual([incompleteFigureNote(coverage), "MIXED CODE: trials computed by 2 versions of the experiment's code"]);
    expect(text(both, 'index.html')).toMatch(/<title>[^<]*\(INCOMPLETE: \d+ of \d+ trials; MIXED CODE\)/);
    // One version: none of it.
    const one = await reportDocuments({ ...input, codeVersions: codeVersions.slice(0, 1) });
    expect(text(one, 'claims.md')).not.toContain('Mixed code');
  });

  it('names under its banner what the results lack yet: scenarios, models, seeds; and nothing there when it is only some trials of each', async () => {
    const input = syntheticReportInput({ models: ['gpt5', 'gpt5-nano', 'qwen3-max'], seeds: 4, kCount: 8 });
    const cellOf = (t: ReportInput['trials'][number]) => t.values as { scenario: string; model: string };
    // Interrupted: nothing of cost-constrained, one model of accuracy-critical, two seeds of one model in balanced.
    const trials = input.trials.filter((t) => {
      const { scenario, model } = cellOf(t);
      if (scenario === 'cost-constrained') return false;
      if (scenario === 'accuracy-critical') return model === 'gpt5';
      return !(model === 'qwen3-max' && t.replicate >= 2);
    });
    const files = await reportDocuments({ ...input, trials, coverage: { done: trials.length, expected: input.trials.length } });
    expect(text(files, 'index.html')).toContain(
      '<br>Not in the results yet: no trial yet in scenario cost-constrained; in accuracy-critical, 1 of the 3 models so far; some models and scenarios have as few as 2 of the 4 seeds. ' +
        "Their figures' rows are empty, and their numbers are left out, until they are run.</div>",
    );
    // The same cells, each short of one selector's trials only: nothing to name.
    const some = input.trials.filter((t) => t.values['selector'] !== 'utopia');
    const partial = await reportDocuments({ ...input, trials: some, coverage: { done: some.length, expected: input.trials.length } });
    expect(text(partial, 'index.html')).not.toContain('Not in the results yet');
    expect(text(partial, 'index.html')).toContain('<div class="incomplete" role="alert">');
  });

  it("of finished shards, says that the other shards are missing and how to get them, not that a run is unfinished", async () => {
    const input = small();
    const coverage = { done: input.trials.length, expected: 3 * input.trials.length, finishedShards: ['1/3'] };
    const warning = incompleteWarning(coverage)!;
    expect(warning).toContain('Its database holds 1 shard of the study (1/3), finished, and not the others');
    expect(warning).toContain('run the other shards, merge them with "harness merge", and report the merged database');
    expect(warning).not.toContain('has not finished');
    const files = await reportDocuments({ ...input, coverage });
    expect(text(files, 'index.html')).toContain(escapeHtml(warning));
    expect(text(files, 'claims.md').split('\n')[2]).toBe(`**${warning}**`);
    expect(JSON.parse(text(files, 'summary.json'))).toMatchObject({ complete: false, warning });
    expect(incompleteWarning({ done: 1, expected: 3, finishedShards: ['1/3', '2/3'] })).toContain('holds 2 shards of the study (1/3, 2/3)');
  });

  it('a complete study (or one nobody counted) gets the very same files as before, without a warning', async () => {
    const input = small();
    const plain = await reportDocuments(input);
    const complete = await reportDocuments({ ...input, coverage: { done: input.trials.length, expected: input.trials.length } });
    expect(complete.map((f) => [f.path, f.content])).toEqual(plain.map((f) => [f.path, f.content]));
    expect(text(plain, 'index.html')).not.toContain('incomplete');
    expect(text(plain, 'claims.md')).not.toContain('Incomplete');
    expect('complete' in (JSON.parse(text(plain, 'summary.json')) as object)).toBe(false);
    expect(text(plain, 'numbers.tex')).not.toContain('PackageWarning');
    for (const table of plain.filter((f) => f.path.startsWith('tables/'))) expect(text(plain, table.path)).not.toMatch(/Incomplete|PackageWarning/);
  });
});
