/**
 * The selector colours stay apart for readers with a colour vision deficiency: each pair's CIELAB
 * distance (CIE76) after simulating full protanopia, deuteranopia and tritanopia with Machado,
 * Oliveira & Fernandes' (2009) matrices, applied to linear sRGB.
 */
import { describe, expect, it } from 'vitest';
import { SELECTOR_COLOURS } from '../../experiments/inference-scaling/report/selectors.js';

type Matrix = readonly (readonly [number, number, number])[];

const DEFICIENCIES: Record<string, Matrix> = {
  none: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

/** The least distance allowed between two selectors' colours, as selectors.ts states it. */
const LEAST_DISTANCE = 13;

function linear(hex: string): number[] {
  return [1, 3, 5].map((at) => {
    const c = parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
}

/** CIELAB (D65) of a linear sRGB colour, clipped to the gamut. */
function lab(rgb: readonly number[]): [number, number, number] {
  const [r, g, b] = rgb.map((v) => Math.min(1, Math.max(0, v))) as [number, number, number];
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const [x, y, z] = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883];
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

function seenWith(hex: string, deficiency: Matrix): [number, number, number] {
  const rgb = linear(hex);
  return lab(deficiency.map((row) => row[0] * rgb[0]! + row[1] * rgb[1]! + row[2] * rgb[2]!));
}

describe('selector colours', () => {
  it('are distinct by normal sight and under each simulated colour vision deficiency', () => {
    const colours = Object.entries(SELECTOR_COLOURS);
    const tooClose: string[] = [];
    for (const [deficiency, matrix] of Object.entries(DEFICIENCIES)) {
      for (let i = 0; i < colours.length; i++) {
        for (let j = i + 1; j < colours.length; j++) {
          const [[a, ca], [b, cb]] = [colours[i]!, colours[j]!];
          const distance = Math.hypot(...seenWith(ca, matrix).map((v, c) => v - seenWith(cb, matrix)[c]!));
          if (distance < LEAST_DISTANCE) tooClose.push(`${a} ${ca} and ${b} ${cb}: ${distance.toFixed(1)} (${deficiency})`);
        }
      }
    }
    expect(tooClose).toEqual([]);
  });

  it('simulates a deficiency: a red and a green apart by normal sight come close under deuteranopia', () => {
    const apart = (matrix: Matrix) => Math.hypot(...seenWith('#E41A1C', matrix).map((v, c) => v - seenWith('#4DAF4A', matrix)[c]!));
    expect(apart(DEFICIENCIES.none!)).toBeGreaterThan(3 * apart(DEFICIENCIES.deuteranopia!));
  });
});
