/**
 * `harness render`: draws Vega-Lite specs as a report draws its figures (the same threads, fonts,
 * SVG, PNG resolution and PDF with embedded fonts), so that a figure restyled by editing its
 * `figures/<name>.vl.json` becomes the paper's figure again. A spec is checked against
 * Vega-Lite's schema first, and drawn anew (not from the figure cache), refused if Vega-Lite or Vega warns of it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, errorMessage } from '../../errors.js';
import { writeFilesAtomically, type WriteProgress } from '../../files.js';
import { errnoCode, outputFolderProblem } from '../../folders.js';
import * as msg from '../../messages.js';
import { displayPath } from '../../paths.js';
import { DEFAULT_PNG_DPI, pngScaleAt } from '../../render/png.js';
import { FigureRefusedError, RenderPool } from '../../render/pool.js';
import { vegaLiteProblem } from '../../render/spec-check.js';
import type { VegaLiteSpec } from '../../render/vega.js';
import { exitCodes, println } from '../io.js';
import { createStageProgress, progressSettings } from '../progress.js';
import { dpi, options, text } from '../options.js';
import type { Command } from './command.js';

/** A spec file's drawings are named after it: `picks.vl.json` gives `picks.svg`, `.png` and `.pdf`. */
function figureName(file: string): string {
  return basename(file).replace(/(\.vl)?\.json$/i, '');
}

/** The title a PDF carries: the spec's own, as text. */
function titleOf(spec: VegaLiteSpec): string | undefined {
  const title = (spec as { title?: unknown }).title;
  const text = typeof title === 'object' && title !== null && !Array.isArray(title) ? (title as { text?: unknown }).text : title;
  return typeof text === 'string' ? text : Array.isArray(text) ? text.join(' ') : undefined;
}

/** A spec file read and checked: its spec, or the refusal that names the file, the place, the rule and the value. */
function readSpec(path: string, shown: string): VegaLiteSpec {
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(msg.renderSpecIsFolder(shown));
  if (!existsSync(path) || !statSync(path).isFile()) throw new InputError(msg.renderSpecMissing(shown));
  const bytes = readFileSync(path);
  // UTF-16 (with its byte order mark) is how some editors save "Unicode": not JSON's UTF-8.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw new InputError(msg.renderSpecUtf16(shown));
  let spec: unknown;
  try {
    // A UTF-8 byte order mark, as Windows editors write one, is no part of the JSON.
    spec = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (thrown) {
    throw new InputError(msg.renderSpecNotJson(shown, errorMessage(thrown)));
  }
  const problem = vegaLiteProblem(spec);
  if (problem) throw new InputError(msg.renderSpecInvalid(shown, problem));
  return spec as VegaLiteSpec;
}

export const renderCommand: Command = {
  name: 'render',
  command: 'render <specs..>',
  describe: "Draw Vega-Lite specs (a report's figures/*.vl.json, restyled) as SVG, PNG and PDF, as the report draws them",
  builder: (y) =>
    y
      // A variadic positional defaults to [] in yargs, which --help would show beside [required].
      .positional('specs', { type: 'string', array: true, describe: 'Vega-Lite spec files (.vl.json)', default: undefined })
      .options({ ...options('dpi', 'json'), out: { type: 'string', describe: 'Folder for the drawings [default: beside each spec]' } })
      .example('$0 render paper/figures/picks.vl.json', 'a copy of a report\'s spec, edited: picks.svg, .png and .pdf beside it')
      .example('$0 render figures/*.vl.json --dpi 600', 'every figure, for a journal that asks for 600 dpi'),
  async run(args, io) {
    const files = (args['specs'] as string[]).map((file) => resolve(io.cwd, file));
    const state = { writing: false };
    try {
      return await render(files, args, io, state);
    } catch (thrown) {
      // Of several specs, one refused leaves all undrawn: said, lest the others be taken as drawn.
      const specs = new Set(files).size;
      if (thrown instanceof InputError && specs > 1 && !state.writing) throw new InputError(`${thrown.message} ${msg.renderNoneWritten(specs)}`);
      throw thrown;
    }
  },
};

/** Checks, draws and writes; `state.writing` once files are being written (some may then be in place). */
async function render(files: readonly string[], args: Parameters<Command['run']>[0], io: Parameters<Command['run']>[1], state: { writing: boolean }): Promise<number> {
  const out = text('out', args['out']);
  const pngDpi = dpi(args['dpi']) ?? DEFAULT_PNG_DPI;
  const shown = (path: string) => displayPath(path, io.cwd);
  const twice = files.find((file, i) => files.indexOf(file) !== i);
  if (twice !== undefined) throw new InputError(msg.renderSpecTwice(shown(twice)));
  // Every spec checked, and every drawing's place, before anything is drawn.
  const specs = files.map((file) => ({ file, spec: readSpec(file, shown(file)), dir: out ? resolve(io.cwd, out) : dirname(file) }));
  const targets = new Map<string, string>();
  for (const { file, dir } of specs) {
    const target = join(dir, figureName(file));
    const other = targets.get(target);
    if (other !== undefined) throw new InputError(msg.renderSameName(shown(other), shown(file), shown(dir), figureName(file)));
    targets.set(target, file);
  }
  for (const dir of new Set(specs.map((s) => s.dir))) {
    const problem = outputFolderProblem(dir);
    if (problem) throw new InputError(msg.renderFolderUnusable(shown(dir), msg.folderProblem.of(problem, shown)));
  }
  const pool = new RenderPool();
  const progress = createStageProgress(io.stderr, progressSettings(io));
  let finished = 0;
  let drawn: (readonly [string, string | Uint8Array])[];
  try {
    const pngScale = pngScaleAt(pngDpi);
    progress('figures', 0, specs.length);
    drawn = (
      await Promise.all(
        specs.map(async ({ file, spec, dir }) => {
          const drawing = await pool.figure({ spec, pngScale, title: titleOf(spec) }).catch((thrown: unknown) => {
            throw new InputError(thrown instanceof FigureRefusedError ? thrown.describe(shown(file)) : msg.renderFailed(shown(file), errorMessage(thrown)));
          });
          progress('figures', ++finished, specs.length);
          const name = join(dir, figureName(file));
          return [[`${name}.svg`, drawing.svg], [`${name}.png`, drawing.png], [`${name}.pdf`, drawing.pdf]] as const;
        }),
      )
    ).flat();
  } finally {
    progress.end();
    await pool.close();
  }
  const writing: WriteProgress = { at: null, placed: 0 };
  state.writing = true;
  try {
    writeFilesAtomically(drawn, writing);
  } catch (thrown) {
    const code = errnoCode(thrown);
    if (code === undefined || code.startsWith('ERR_')) throw thrown;
    const at = writing.at ?? drawn[0]![0];
    throw new InputError(msg.renderFolderUnusable(shown(dirname(at)), msg.folderProblem.failed('writing', shown(at), code)));
  }
  const written = drawn.map(([path]) => shown(path));
  if (args['json'] === true) println(io.stdout, JSON.stringify({ files: written, dpi: pngDpi }));
  else println(io.stdout, msg.renderWritten(specs.length, written));
  return exitCodes.ok;
}
