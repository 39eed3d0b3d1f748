/**
 * The report page: claims first, then the figures (interactive), the tables and the
 * provenance of the runs behind them. Only runs that computed trials are listed, so a resume
 * that found nothing to do leaves the page unchanged.
 */
import type { Json, ReportInput, RunRecord, Writer } from '../../../harness/experiment.js';
import { codeVersionsText } from '../../../harness/messages.js';
import { buildHtmlPage, type PageChart } from '../../../harness/render/html.js';
import { escapeHtml, tableToHtml } from '../../../harness/render/table.js';
import { countOf, listInWords, shareOf } from '../../../harness/text.js';
import type { Analysis } from './analysis.js';
import { CLAIM_STATEMENTS, oneSeedNote } from './claims.js';
import type { LeftOutFigure } from './figures/index.js';
import type { Figure } from './figures/theme.js';
import { SELECTOR_DEFINITIONS } from '../selectors.js';
import { BOOTSTRAP_RESAMPLES, CONFIDENCE } from './statistics.js';
import { claimHeadline, SETUP_TABLES, type TablePair } from './tables.js';
import { factorQuestion, feasibleSetWords, latencyWords, levelMeaning, ruleText } from './factors.js';
import { RULE_PATHS, type Condition, type FeasibilityRule } from './data.js';
import { canonicalJson } from '../../../harness/identity.js';
import { VARIANT_FIELD } from '../../../harness/manifest.js';
import type { VegaSpec } from '../../../harness/render/vega.js';

export interface PageFigure {
  figure: Figure;
  vega: VegaSpec;
}

export interface PageInput {
  analysis: Analysis;
  manifest: { study: string; hash: string; body: Json };
  runs: RunRecord[];
  figures: readonly PageFigure[];
  /** Figures the study does not get, and why. */
  leftOut?: readonly LeftOutFigure[];
  tables: readonly TablePair[];
  /** Trials in the database and in the study (ReportInput.coverage); absent or equal: complete. */
  coverage?: ReportInput['coverage'];
  /** The versions of the experiment's code that computed the trials, when more than one (ReportInput.codeVersions). */
  codeVersions?: ReportInput['codeVersions'];
  /** The harness writing the report (ReportInput.writer). */
  writer?: Writer;
}

/** The coverage of a study its run has not finished, or null (complete, or not counted). */
export function incompleteCoverage(coverage: ReportInput['coverage']): { done: number; expected: number; share: string } | null {
  if (!coverage || coverage.done >= coverage.expected) return null;
  return { ...coverage, share: shareOf(coverage.done, coverage.expected) };
}

/**
 * The warning every file a reader may quote from carries when the study is incomplete (the page,
 * claims.md, summary.json, each figure), so that no number or verdict taken from it passes for
 * the complete study's; null when complete.
 */
export function incompleteWarning(coverage: ReportInput['coverage']): string | null {
  const c = incompleteCoverage(coverage);
  if (!c) return null;
  const shards = coverage?.finishedShards ?? [];
  const covers = `Incomplete study: this report covers ${c.done} of the ${c.expected} trials (${c.share}).`;
  const provisional = 'every figure, table and verdict in it is provisional and will change when the remaining trials are run';
  return shards.length
    ? `${covers} Its database holds ${countOf(shards.length, 'shard')} of the study (${shards.join(', ')}), finished, and not the others, so ${provisional}; run the other shards, merge them with "harness merge", and report the merged database before quoting anything from it.`
    : `${covers} Its run has not finished, so ${provisional}; complete the run and report again before quoting anything from it.`;
}

/**
 * The warning every such file carries when the trials were computed by more than one version of
 * the experiment's code (ReportInput.codeVersions): a resume after the code changed. Null otherwise.
 */
export function mixedCodeWarning(versions: ReportInput['codeVersions']): string | null {
  if (!versions || versions.length < 2) return null;
  return `Mixed code: the trials of this report were computed by ${versions.length} versions of the experiment's code (${codeVersionsText(versions)}), as a run resumed after the code changed, so its numbers may mix their results; rerun the study with --fresh and report again before quoting anything from it.`;
}

/** Every warning a reader must see before quoting anything from the report, as one text; null when there is none. */
export function readerWarning(input: Pick<ReportInput, 'coverage' | 'codeVersions'>): string | null {
  const warnings = [incompleteWarning(input.coverage), mixedCodeWarning(input.codeVersions)].filter((w): w is string => w !== null);
  return warnings.length ? warnings.join(' ') : null;
}

/** The lines a figure carries above its plot for readerWarning's warnings (short: they are drawn). */
export function figureNotes(input: Pick<ReportInput, 'coverage' | 'codeVersions'>): string[] {
  const versions = input.codeVersions;
  const mixed = versions && versions.length > 1 ? `MIXED CODE: trials computed by ${versions.length} versions of the experiment's code` : null;
  return [incompleteFigureNote(input.coverage), mixed].filter((n): n is string => n !== null);
}

/** The line a figure carries above its plot when the study is incomplete (short: it is drawn). */
export function incompleteFigureNote(coverage: ReportInput['coverage']): string | null {
  const c = incompleteCoverage(coverage);
  return c ? `INCOMPLETE STUDY: ${c.done} of ${c.expected} trials (${c.share}); provisional, and empty where not run yet` : null;
}

/**
 * What an unfinished study's results lack, from the study's own lists: its scenarios and models
 * without a trial, the scenarios with only some models, and seeds short of the study's; null when
 * nothing of that is missing (only some selectors' trials are).
 */
export function notRunYet(a: Analysis, body: Json): string | null {
  const axes = (body as { axes?: Record<string, unknown> } | null)?.axes ?? {};
  const listed = (axis: string) => (Array.isArray(axes[axis]) ? (axes[axis] as unknown[]).map(String) : []);
  const seeds = typeof (body as { seeds?: unknown } | null)?.seeds === 'number' ? ((body as { seeds: number }).seeds) : null;
  const parts: string[] = [];
  const scenarios = new Set(a.data.conditions.map((c) => c.scenario));
  const absentScenarios = listed('scenario').filter((s) => !scenarios.has(s));
  if (absentScenarios.length) parts.push(`no trial yet in scenario${absentScenarios.length === 1 ? '' : 's'} ${absentScenarios.join(', ')}`);
  const models = new Set(a.data.models.map((m) => m.id));
  const absentModels = listed('model').filter((m) => !models.has(m));
  if (absentModels.length) parts.push(`none yet of model${absentModels.length === 1 ? '' : 's'} ${absentModels.join(', ')}`);
  const total = a.data.models.length;
  // The seeds of each condition's models, in one pass over the picks.
  const seedsOf = new Map<string, Map<string, Set<number>>>(a.data.conditions.map((c) => [c.id, new Map()]));
  for (const p of a.data.picks) {
    const byModel = seedsOf.get(p.condition)!;
    (byModel.get(p.model) ?? byModel.set(p.model, new Set()).get(p.model)!).add(p.replicate);
  }
  let fewestSeeds = Infinity;
  for (const condition of a.data.conditions) {
    const seedsByModel = seedsOf.get(condition.id)!;
    if (seedsByModel.size < total) parts.push(`in ${condition.label}, ${seedsByModel.size} of the ${total} models so far`);
    for (const s of seedsByModel.values()) fewestSeeds = Math.min(fewestSeeds, s.size);
  }
  if (seeds !== null && fewestSeeds < seeds) parts.push(`some models and scenarios have as few as ${fewestSeeds} of the ${seeds} seeds`);
  return parts.length ? `Not in the results yet: ${parts.join('; ')}. Their figures' rows are empty, and their numbers are left out, until they are run.` : null;
}

/** Runs that computed or failed at least one trial: not a merge's own run, which copied the shards' runs' trials. */
export function contributingRuns(runs: readonly RunRecord[]): RunRecord[] {
  return runs.filter((r) => r.trialsDone + r.trialsFailed > 0 && r.status !== 'merged').sort((a, b) => a.id - b.id);
}

const CSS = `
.verdict-holds { color: #006d2c; font-weight: bold; } .verdict-does-not-hold { color: #b2182b; font-weight: bold; } .verdict-cannot-tell { color: #7a5c00; font-weight: bold; }
.files a { margin-right: 0.6rem; font-size: 0.8rem; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; font-size: 0.75rem; }
nav { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; }
.facts td { overflow-wrap: anywhere; }
.contents { columns: 2 18rem; font-size: 0.85rem; }
`;

/** Only on an incomplete study's page: a complete study's page stays as it was. */
const INCOMPLETE_CSS = `.incomplete { border: 2px solid #b2182b; background: #fdecea; color: #67000d; padding: 0.6rem 0.8rem; margin: 0.8rem 0; }\n`;

const verdictClass = (v: string) => `verdict-${v.replace(/ /g, '-')}`;

/** Shown with the claims rather than among the tables. */
const VARIANT_CLAIMS = 'claims-by-variant';

export function chartId(figure: Figure): string {
  return `chart-${figure.name}`;
}

export function buildPage(input: PageInput): string {
  const a = input.analysis;
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(a.data.study)}: accuracy, cost and latency of inference scaling</h1>`);
  const warning = incompleteWarning(input.coverage);
  const incomplete = incompleteCoverage(input.coverage);
  if (warning) {
    const missing = notRunYet(a, input.manifest.body);
    parts.push(`<div class="incomplete" role="alert"><strong>${escapeHtml(warning)}</strong>${missing ? `<br>${escapeHtml(missing)}` : ''}</div>`);
  }
  const mixed = mixedCodeWarning(input.codeVersions);
  if (mixed) parts.push(`<div class="incomplete" role="alert"><strong>${escapeHtml(mixed)}</strong></div>`);
  // Repeated at each section a reader may jump to from the navigation or a link.
  const provisional = incomplete ? `<p class="incomplete">Provisional: from ${incomplete.done} of the ${incomplete.expected} trials of the study (${incomplete.share}).</p>` : '';
  parts.push(
    `<p>Reproduction of Jung, Ricky and Chatni, <em>3D Optimization for AI Inference Scaling</em> (arXiv 2510.18905): ` +
      `${countOf(a.data.conditions.length, 'condition')}, ${countOf(a.data.models.length, 'model')}, ${countOf(a.data.selectors.length, 'selector')}, ${countOf(a.data.replicates.length, 'seed')}. ` +
      `Every number on this page is computed from the results database; rerunning the report gives the same bytes.</p>`,
  );
  parts.push('<nav><a href="#claims">Claims</a><a href="#figures">Figures</a><a href="#tables">Tables</a><a href="#method">Method</a><a href="#provenance">Provenance</a></nav>');

  parts.push('<h2 id="claims">Claims</h2>');
  if (provisional) parts.push(provisional);
  parts.push(tableOpening('The claims of the paper, measured, with verdicts', ['claim', 'measured (95% interval)', 'verdict']));
  for (const claim of Object.keys(CLAIM_STATEMENTS).map(Number)) {
    const { verdict, measured } = claimHeadline(a, claim);
    parts.push(
      // The claim heads its row: a screen reader names the measure and verdict by it.
      `<tr><th scope="row">${claim}. ${escapeHtml(CLAIM_STATEMENTS[claim] as string)}</th><td>${measured.length ? measured.map(escapeHtml).join('<br>') : 'not measured'}</td>` +
        `<td class="${verdictClass(verdict)}">${escapeHtml(verdict)}</td></tr>`,
    );
  }
  parts.push('</tbody></table></div>');
  const oneSeed = oneSeedNote(a.data);
  if (oneSeed) parts.push(`<p>${escapeHtml(oneSeed)}</p>`);
  parts.push(
    '<p>Also in <a href="claims.md">claims.md</a>; every claim row with its rule in <a href="tables/claims.csv">tables/claims.csv</a> ' +
      '(and as <a href="tables/claims.md">Markdown</a> and <a href="tables/claims.tex">LaTeX</a>); every number of the report, machine-readable, in <a href="summary.json">summary.json</a>, and the numbers to quote in a LaTeX paper in <a href="numbers.tex">numbers.tex</a>.</p>',
  );
  parts.push('<details><summary>Every claim row, with its rule</summary>');
  parts.push(tableOpening('Every claim row, with its rule', ['claim', 'scope', 'subject', 'measured', 'verdict', 'rule']));
  for (const r of a.claims.rows) {
    parts.push(
      `<tr><td>${r.claim}</td><td>${escapeHtml(r.scope)}</td><td>${escapeHtml(r.subject)}</td><td>${escapeHtml(r.value)}</td>` +
        `<td class="${verdictClass(r.verdict)}">${escapeHtml(r.verdict)}</td><td>${escapeHtml(r.rule)}</td></tr>`,
    );
  }
  parts.push('</tbody></table></div></details>');
  const byVariant = input.tables.find((t) => t.name === VARIANT_CLAIMS);
  if (byVariant) {
    parts.push(`<h3>Under each variant</h3><p>${escapeHtml(byVariant.title)}. The table above judges the baseline variant.</p>`);
    parts.push(tableToHtml(byVariant.display, { caption: byVariant.title }) + tableFiles(byVariant));
  }

  parts.push('<h2 id="figures">Figures</h2>');
  if (provisional) parts.push(provisional);
  parts.push('<p><span class="no-print">Hover over a point, or tap it, for its values. </span>Each figure is also in <code>figures/</code> as Vega-Lite JSON (to restyle), SVG, PNG and vector PDF.</p>');
  parts.push(`<ol class="contents no-print">${input.figures.map(({ figure }) => `<li><a href="#${escapeHtml(figure.name)}">${escapeHtml(figure.title)}</a></li>`).join('')}</ol>`);
  if (input.leftOut?.length) {
    const items = input.leftOut.map((f) => `<li><code>${escapeHtml(f.name)}</code>, ${escapeHtml(f.shows)}: ${escapeHtml(f.reason)}.</li>`).join('');
    parts.push(`<p>Not drawn for this study:</p><ul class="left-out">${items}</ul>`);
  }
  input.figures.forEach(({ figure }, i) => {
    const name = escapeHtml(figure.name);
    const title = escapeHtml(figure.title);
    // Named in full for a screen reader's list of links, where "pdf" alone says nothing.
    const files = ['vl.json', 'svg', 'png', 'pdf'].map((ext) => `<a href="figures/${name}.${ext}" aria-label="Figure ${i + 1} as ${ext}">${ext}</a>`).join('');
    // Without JavaScript, the figure as drawn for print (the script replaces it with the chart).
    const chart =
      `<div class="chart" id="${chartId(figure)}" role="img" aria-label="${title}: interactive chart; its data are in figures/${name}.vl.json, linked below">` +
      `<noscript><img src="figures/${name}.svg" alt="${title}"></noscript></div>`;
    parts.push(`<figure id="${name}" aria-labelledby="${name}-title"><h3 id="${name}-title">Figure ${i + 1}. ${title}</h3>${chart}<figcaption>${escapeHtml(figure.caption)} <span class="files">${files}</span></figcaption></figure>`);
  });

  parts.push('<h2 id="tables">Tables</h2>');
  if (provisional) parts.push(provisional);
  parts.push('<p>Each table is also in <code>tables/</code> as CSV (one number per column), Markdown and LaTeX: the links under it.</p>');
  const results = input.tables.filter((t) => t.name !== 'claims' && t.name !== VARIANT_CLAIMS && !SETUP_TABLES.includes(t.name));
  for (const t of results) parts.push(`<details id="table-${escapeHtml(t.name)}"><summary>${escapeHtml(t.title)}</summary>${tableBody(t, true)}${tableFiles(t)}</details>`);

  parts.push('<h2 id="method">Method</h2>');
  for (const t of input.tables.filter((x) => SETUP_TABLES.includes(x.name))) parts.push(`<h3 id="table-${escapeHtml(t.name)}">${escapeHtml(t.title)}</h3>${tableBody(t)}${tableFiles(t)}`);
  if (a.ablation && a.ablation.factors.length > 0) parts.push(ablationDesign(a));
  parts.push(
    '<ul>' +
      `<li>Per (condition, model, selector): mean and standard deviation over seeds of k*, and of cost, latency, accuracy and balance at k*, with a percentile bootstrap ${Math.round(CONFIDENCE * 100)}% interval (${BOOTSTRAP_RESAMPLES} resamples, each seeded from the identity of the quantity, so intervals do not depend on order or sharding). Seeds with no feasible k are counted, not averaged.</li>` +
      '<li>Paired comparisons: all selectors of a (condition, model, seed) judge the same simulated curves (common random numbers); differences are taken per seed, then averaged. Pooled over models, the bootstrap resamples seeds within each model; pooled over conditions as well, it draws each seed\'s values in every condition together, as they share its random numbers.</li>' +
      '<li>Shares (no pick, latency breaks, differing k*) use Wilson score intervals.</li>' +
      `<li>${escapeHtml(feasibleSetDefinition(a))} Balance: the largest of the pick\'s normalized regrets against the best of F in cost, latency and accuracy (0: best in all three; 1: the worst of F in one). A pick outside F, which only the baselines make (fixed-k, and the 2D ones under T_max), can lie beyond F\'s range: its balance can exceed 1 (and has none, n/a, where F holds one value of a measure and the pick another: no range scales its regret), and the tables give the share of seeds whose k* lies outside F.</li>` +
      selectorList(a.data.selectors) +
      '<li>Curves in the figures: for each k, the mean over seeds of each seed\'s Monte Carlo mean; bands: the mean over seeds of each seed\'s 2.5% and 97.5% quantiles, i.e. the spread of a single request. A k is drawn as feasible (or Pareto) when it is so in at least half the seeds.</li>' +
      '</ul>',
  );

  parts.push('<h2 id="provenance">Provenance</h2>');
  parts.push(provenance(input));

  // Vega names the chart's container by the spec's description: to a screen reader, its title.
  const charts: PageChart[] = input.figures.map(({ figure, vega }) => ({ id: chartId(figure), spec: { ...vega, description: figure.title } }));
  const flags = [incomplete ? `INCOMPLETE: ${incomplete.done} of ${incomplete.expected} trials` : null, mixed ? 'MIXED CODE' : null].filter((f) => f !== null);
  const title = `${a.data.study}${flags.length ? ` (${flags.join('; ')})` : ''}: inference scaling report`;
  return buildHtmlPage({ title, body: parts.join('\n'), charts, css: incomplete || mixed ? `${CSS}${INCOMPLETE_CSS}` : CSS });
}

/**
 * What F, the feasible set, is: the feasibility rule (with its delta) and the latency model the
 * trials ran under. Where the conditions differ in them (variants, swept values), the first
 * condition's (the baseline's) rule, then what differs and where.
 */
export function feasibleSetDefinition(a: Analysis): string {
  const conditions = a.data.conditions;
  // delta matters only to chance constraints.
  const key = (r: FeasibilityRule) => [r.feasibility, r.feasibility === 'chance' ? r.delta : '', r.latency].join('\u0000');
  const first = conditions[0]?.rule;
  if (first === undefined) return 'F: the feasible set.';
  const others = new Map<string, { rule: FeasibilityRule; where: string[] }>();
  for (const c of conditions) {
    if (key(c.rule) === key(first)) continue;
    const entry = others.get(key(c.rule)) ?? others.set(key(c.rule), { rule: c.rule, where: [] }).get(key(c.rule))!;
    const where = ruleSource(a, c);
    if (!entry.where.includes(where)) entry.where.push(where);
  }
  if (others.size === 0) return `F: the feasible set, ${ruleText(first)}.`;
  const differences = [...others.values()].map(({ rule, where }) => {
    const parts = [
      ...(key({ ...rule, latency: first.latency }) === key(first) ? [] : [`F: ${feasibleSetWords(rule.feasibility, rule.delta)}`]),
      ...(rule.latency === first.latency ? [] : [`latency: ${latencyWords(rule.latency)}`]),
    ];
    return `in ${listInWords(where)}, ${parts.join('; ')}`;
  });
  return `F: the feasible set, in ${ruleSource(a, conditions[0]!, true)}: ${ruleText(first)}. Where the conditions differ: ${differences.join('; ')}.`;
}

/**
 * What sets a condition's feasibility rule: its variant (`the chance variant`) or swept values
 * (`feasibility=chance`); `baseline`: the variant, for the first condition, though it sets none.
 */
function ruleSource(a: Analysis, c: Condition, baseline = false): string {
  const isRulePath = (path: string) => (RULE_PATHS as readonly string[]).includes(path.replace(/^params\./, ''));
  const swept = Object.entries(c.variant)
    .filter(([path]) => path !== VARIANT_FIELD && isRulePath(path))
    .map(([path, value]) => `${path}=${typeof value === 'string' ? value : canonicalJson(value)}`);
  const set = a.data.variants?.find((v) => v.name === c.variantName)?.set ?? {};
  const byVariant = c.variantName !== null && (baseline || swept.length === 0 || Object.keys(set).some(isRulePath));
  const parts = [...(byVariant ? [`the ${c.variantName} variant`] : []), ...swept];
  return parts.length ? parts.join(', ') : c.label;
}

/** The ablations' design: the question each factor asks, and what each of its levels (variants) sets. */
function ablationDesign(a: Analysis): string {
  const ablation = a.ablation!;
  const claims = Object.keys(CLAIM_STATEMENTS).map(Number);
  const verdictsOf = (variant: string) => {
    const rows = ablation.claims.find((v) => v.variant === variant)?.claims.rows ?? [];
    return claims.map((c) => rows.find((r) => r.claim === c && r.headline)?.verdict ?? 'cannot tell');
  };
  const baseline = verdictsOf(ablation.baseline);
  // What a level does to the paper's claims, against the baseline's verdicts.
  const verdictChange = (variant: string): string => {
    if (variant === ablation.baseline) return `the reference: ${claims.map((c, i) => `${c} ${baseline[i]}`).join(', ')}`;
    const here = verdictsOf(variant);
    const changed = claims.filter((_, i) => here[i] !== baseline[i]).map((c) => `claim ${c} ${here[c - 1]} (baseline: ${baseline[c - 1]})`);
    return changed.length ? changed.join('; ') : 'every verdict as the baseline\'s';
  };
  const rows = ablation.factors.flatMap((factor) =>
    factor.levels.map(
      (level, i) =>
        `<tr>${i === 0 ? `<td rowspan="${factor.levels.length}">${escapeHtml(factor.title)}</td><td rowspan="${factor.levels.length}">${escapeHtml(factorQuestion(factor) ?? '')}</td>` : ''}` +
        `<td>${escapeHtml(level.variant)}${level.baseline ? ' (baseline)' : ''}</td><td>${escapeHtml(levelMeaning(factor, level, a.data.params))}</td><td>${escapeHtml(verdictChange(level.variant))}</td></tr>`,
    ),
  );
  return (
    `<h3 id="ablations">The ablations</h3><p>One factor at a time: every variant changes one setting of the baseline variant, ${escapeHtml(ablation.baseline)}, ` +
    'and each factor has a figure and a table of its own (Figures, Tables), its levels compared with the baseline on the same seeds. The claims are judged on each variant as well (Claims). ' +
    `The seeds derive from the study's name as well as its base seed: a study of the baseline's settings under another name (such as the paper's own) draws other random numbers, so it is an independent replicate, and its numbers differ from this baseline's by sampling error.</p>` +
    tableOpening('The ablations: factors, questions and levels', ['factor', 'question', 'variant', 'what it sets', "the claims' verdicts"]) +
    `${rows.join('')}</tbody></table></div>`
  );
}

function provenance(input: PageInput): string {
  const a = input.analysis;
  const runs = contributingRuns(input.runs);
  const body = input.manifest.body;
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const baseSeed = fields['base_seed'];
  const experiment = fields['experiment'] as { name: string; version: string } | undefined;
  const reps = a.data.replicates;
  const facts: [string, string][] = [
    ['study', input.manifest.study],
    ...(experiment ? [['experiment', `${experiment.name} v${experiment.version}`] as [string, string]] : []),
    ['manifest hash', input.manifest.hash],
    ['seeds', reps.length === 0 ? 'none' : `${reps.length} (replicates ${reps[0]}..${reps[reps.length - 1]})${baseSeed === undefined ? '' : `, base seed ${JSON.stringify(baseSeed)}`}`],
    ['trials', `${a.data.picks.length} ok, ${a.data.failed.count} failed${incompleteCoverage(input.coverage) ? ` (the study has ${input.coverage!.expected}: incomplete)` : ''}`],
    ['commits', [...new Set(runs.map((r) => (r.gitCommit ?? 'unknown') + (r.gitDirtyHash ? ` + uncommitted changes ${r.gitDirtyHash.slice(0, 12)}` : '')))].join('; ') || 'no run recorded'],
    ['experiment code (hash)', hashes(runs.map((r) => r.codeHash))],
    ['packages (package-lock.json hash)', hashes(runs.map((r) => r.lockfileHash))],
    ...(input.writer ? [['report written by', writerText(input.writer)] as [string, string]] : []),
  ];
  const out = [`<table class="facts"><caption class="visually-hidden">Provenance</caption><tbody>${facts.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`];
  out.push('<h3>Runs that computed trials</h3>');
  const runTable = {
    columns: ['run', 'started', 'ended', 'status', 'commit', 'threads', 'shard', 'trials', 'failed', 'node', 'cpu', 'command'].map((k) => ({ key: k, title: k })),
    rows: runs.map((r) => ({
      run: r.id,
      started: timeText(r.startedAt),
      ended: timeText(r.endedAt),
      status: r.status,
      commit: r.gitCommit ? `${r.gitCommit.slice(0, 12)}${r.gitDirtyHash ? ' (modified)' : ''}` : null,
      threads: r.threads,
      shard: r.shard,
      trials: r.trialsDone,
      failed: r.trialsFailed,
      node: r.nodeVersion,
      cpu: r.cpuModel,
      command: r.commandLine,
    })),
  };
  out.push(tableToHtml(runTable, { caption: 'Runs that computed trials' }));
  if (runs.some((r) => r.gitDirtyHash)) out.push('<p>(modified): run from a checkout that differed from its commit: tracked files edited, or new files that git does not ignore (a hash of the differences is in the commits row above).</p>');
  if (a.data.failed.count > 0) {
    out.push('<h3>Failed trials</h3>');
    out.push(tableToHtml({ columns: [{ key: 'count', title: 'trials', align: 'right' }, { key: 'error', title: 'error' }], rows: a.data.failed.errors.map((e) => ({ count: e.count, error: e.error })) }, { caption: 'Failed trials' }));
  }
  out.push(`<details data-print="closed"><summary>Manifest</summary><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre></details>`);
  return out.join('\n');
}

/** The distinct hashes of the runs (12 digits each, as the runs table gives commits), or why there is none. */
function hashes(values: readonly (string | null)[]): string {
  const known = [...new Set(values.filter((v): v is string => v !== null).map((v) => v.slice(0, 12)))];
  const unknown = values.some((v) => v === null) ? [known.length ? 'and runs that recorded none' : 'not recorded'] : [];
  return [...known, ...unknown].join(', ') || 'no run recorded';
}

/** An ISO time with a space for its T (RFC 3339 allows it): a narrow column breaks it there, between date and time. */
function timeText(iso: string | null): string | null {
  return iso && iso.replace(/^(\d{4}-\d\d-\d\d)T/, '$1 ');
}

/** `harness 0.1.0, commit 0123456789ab (with changes to tracked files)`. */
export function writerText(w: Writer): string {
  const source = w.commit === null ? 'not a git checkout' : `commit ${w.commit.slice(0, 12)}${w.modified ? ' (with changes to tracked files)' : ''}`;
  return `harness ${w.version}, ${source}`;
}

/** The table under its heading (which names it); a wide one may take the window's width. */
function tableBody(t: TablePair, wide = false): string {
  return t.empty === undefined ? tableToHtml(t.display, { caption: t.title, wide }) : `<p>No rows: ${escapeHtml(t.empty)}.</p>`;
}

/**
 * The opening of a table the page builds row by row (where tableToHtml cannot: cells classed by
 * their verdict, cells spanning rows), as tableToHtml opens its own: a box that scrolls sideways,
 * a caption for screen readers, the column headers; then `<tbody>`, which the caller fills and
 * closes with `</tbody></table></div>`.
 */
function tableOpening(caption: string, headers: readonly string[]): string {
  return `<div class="table-scroll"><table><caption class="visually-hidden">${escapeHtml(caption)}</caption><thead><tr>${headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>`;
}

/** Links to the table's files, as written under tables/. */
function tableFiles(t: TablePair): string {
  const stem = `tables/${escapeHtml(t.name)}`;
  return `<p class="files">${['csv', 'md', 'tex'].map((type) => `<a href="${stem}.${type}">${stem}.${type}</a>`).join(' ')}</p>`;
}

/** The study's selectors with what each picks (a selector the experiment does not define is named alone). */
function selectorList(selectors: readonly string[]): string {
  const definition = (id: string): string => (SELECTOR_DEFINITIONS as Record<string, string | undefined>)[id] ?? 'not defined by this experiment';
  const items = selectors.map((id) => `<li><code>${escapeHtml(id)}</code>: ${escapeHtml(definition(id))}.</li>`);
  return `<li>Selectors, each choosing k from the same curves (ties to the smallest k; F: the k meeting every budget, under the study's feasibility rule):<ul>${items.join('')}</ul></li>`;
}
