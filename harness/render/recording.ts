/**
 * A figure's canvas drawing as data: the calls Vega's canvas renderer makes, recorded once and
 * replayed onto any 2D context (a raster canvas for the PNG, a PDF page for the PDF), in this
 * thread or another. Replaying a recording makes the very calls, with the very arguments, that
 * drawing the view directly would have made, so the pixels and the PDF are the same bytes.
 *
 * A state change that repeats the value already set (Vega sets line caps, dashes and alpha on
 * every mark item) is recorded once: the context would be in the same state either way, and
 * each call into the native canvas costs far more than the check. Drawing that needs answers
 * from the context (gradients, patterns, images, text measured by the canvas) cannot be
 * recorded, nor can a call or property this module does not know: recording then throws
 * (RecordingUnsupported, or a TypeError from the sealed recorder), and the caller draws the
 * view directly instead.
 */
import type { View } from 'vega';

/** Flat list of calls: a method's code, its argument count and arguments; a property's code and value. */
export type Recording = unknown[];

/** The context methods Vega's canvas renderer calls to draw paths, text and marks. */
const METHODS = [
  'save', 'restore', 'translate', 'rotate', 'scale', 'setTransform', 'transform',
  'beginPath', 'closePath', 'moveTo', 'lineTo', 'bezierCurveTo', 'quadraticCurveTo', 'arc', 'arcTo', 'ellipse', 'rect',
  'fill', 'stroke', 'clip', 'fillRect', 'strokeRect', 'clearRect', 'fillText', 'strokeText', 'setLineDash',
] as const;

/** The context properties it sets. */
const PROPERTIES = [
  'globalAlpha', 'globalCompositeOperation', 'fillStyle', 'strokeStyle', 'lineWidth', 'lineCap', 'lineJoin', 'miterLimit',
  'lineDashOffset', 'font', 'textAlign', 'textBaseline', 'imageSmoothingEnabled',
] as const;

/** Property codes follow the method codes. */
const FIRST_PROPERTY = METHODS.length;
const SAVE = METHODS.indexOf('save');
const RESTORE = METHODS.indexOf('restore');
const SET_LINE_DASH = METHODS.indexOf('setLineDash');

export class RecordingUnsupported extends Error {}

/** The drawing of an evaluated view, one unit per point: the calls `view.toCanvas(1, ...)` makes. */
export function recordDrawing(view: View): Promise<Recording> {
  return record((context) => view.toCanvas(1, { externalContext: context }));
}

/** The calls `draw` makes on a context. */
export async function record(draw: (context: CanvasRenderingContext2D) => unknown): Promise<Recording> {
  const recorder = new Recorder();
  await draw(recorder as unknown as CanvasRenderingContext2D);
  return recorder.calls;
}

/** Makes the recorded calls on `context`, in order. */
export function replay(calls: Recording, context: object): void {
  const target = context as Record<string, unknown>;
  const method = context as Record<string, (...args: unknown[]) => unknown>;
  for (let i = 0; i < calls.length; ) {
    const code = calls[i++] as number;
    if (code >= FIRST_PROPERTY) {
      target[PROPERTIES[code - FIRST_PROPERTY]!] = calls[i++];
      continue;
    }
    const name = METHODS[code]!;
    const count = calls[i++] as number;
    // Called with exactly the recorded arguments (no spread of a copied array, no undefined padding).
    switch (count) {
      case 0: method[name]!(); break;
      case 1: method[name]!(calls[i]); break;
      case 2: method[name]!(calls[i], calls[i + 1]); break;
      case 3: method[name]!(calls[i], calls[i + 1], calls[i + 2]); break;
      case 4: method[name]!(calls[i], calls[i + 1], calls[i + 2], calls[i + 3]); break;
      case 5: method[name]!(calls[i], calls[i + 1], calls[i + 2], calls[i + 3], calls[i + 4]); break;
      default: method[name]!(...calls.slice(i, i + count));
    }
    i += count;
  }
}

type State = Record<string, unknown>;

/**
 * Stands in for a CanvasRenderingContext2D. Sealed: a property or method this list does not
 * know (a renderer that starts to use one) fails the recording rather than being dropped.
 */
class Recorder {
  readonly calls: Recording = [];
  /** Values set so far (and the dash), as the context holds them; saved and restored with it. */
  private state: State = {};
  private dash: readonly number[] | undefined;
  private readonly saved: { state: State; dash: readonly number[] | undefined }[] = [];

  constructor() {
    METHODS.forEach((name, code) => {
      // save, restore and setLineDash are methods of their own below: they track the state.
      if (code === SAVE || code === RESTORE || code === SET_LINE_DASH) return;
      Object.defineProperty(this, name, { value: (...args: unknown[]) => this.call(code, args) });
    });
    PROPERTIES.forEach((name, i) => {
      Object.defineProperty(this, name, {
        get: () => this.state[name],
        set: (value: unknown) => {
          if (typeof value === 'object' && value !== null) throw new RecordingUnsupported(`the canvas ${name} is set to an object (a gradient or pattern)`);
          if (name in this.state && this.state[name] === value) return;
          this.state[name] = value;
          this.calls.push(FIRST_PROPERTY + i, value);
        },
      });
    });
    for (const name of UNSUPPORTED) {
      Object.defineProperty(this, name, {
        value: () => {
          throw new RecordingUnsupported(`the figure calls the canvas's ${name}, which a recorded drawing cannot answer`);
        },
      });
    }
    Object.seal(this);
  }

  save(): void {
    this.saved.push({ state: { ...this.state }, dash: this.dash });
    this.calls.push(SAVE, 0);
  }

  restore(): void {
    const saved = this.saved.pop();
    if (saved) ({ state: this.state, dash: this.dash } = saved);
    this.calls.push(RESTORE, 0);
  }

  setLineDash(dash: readonly number[]): void {
    const same = this.dash !== undefined && this.dash.length === dash.length && this.dash.every((d, i) => d === dash[i]);
    if (same) return;
    this.dash = [...dash]; // a copy the renderer cannot change, recorded as it is
    this.calls.push(SET_LINE_DASH, 1, this.dash);
  }

  private call(code: number, args: unknown[]): void {
    this.calls.push(code, args.length, ...args);
  }
}

/** Calls that return something the renderer goes on with. */
const UNSUPPORTED = ['createLinearGradient', 'createRadialGradient', 'createPattern', 'drawImage', 'measureText', 'isPointInPath', 'isPointInStroke', 'getImageData'] as const;
