/**
 * Walk-forward folds: `--walk-forward TRAIN:TEST` cuts the sweep's window into rolling folds, each a
 * training span followed by the test span right after it; the next fold starts one test span later, so the
 * test spans tile the window's end without overlapping and no test span was seen by its own training.
 *
 * TRAIN and TEST are durations (`6h:2h`, `90m:30m`, `45s:15s`; units ms, s, m, h, d) or fractions of the
 * window (`0.5:0.25`: training half the window, test a quarter). As many folds as fit; none → refused.
 */
import { SweepRefused } from "./grid.js";

export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

export interface Fold {
  readonly index: number;
  readonly train: Span;
  readonly test: Span;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function part(text: string, windowMs: number, spec: string): { ms: number; fraction: boolean } {
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (duration) return { ms: Number(duration[1]) * UNIT_MS[duration[2]], fraction: false };
  const n = Number(text);
  if (/^\d*\.?\d+$/.test(text) && n > 0 && n <= 1) return { ms: n * windowMs, fraction: true };
  throw new SweepRefused(
    `--walk-forward ${spec}: '${text}' is neither a duration (6h, 90m, 45s, 500ms, 1d) nor a fraction in (0, 1]`,
  );
}

export function walkForwardFolds(spec: string, window: Span): Fold[] {
  const parts = spec.split(":");
  if (parts.length !== 2) throw new SweepRefused(`--walk-forward ${spec}: expected TRAIN:TEST (6h:2h or 0.5:0.25)`);
  const windowMs = window.endMs - window.startMs;
  const [train, test] = parts.map((p) => part(p.trim(), windowMs, spec));
  if (train.fraction !== test.fraction)
    throw new SweepRefused(`--walk-forward ${spec}: give both as durations or both as fractions`);
  const trainMs = Math.round(train.ms);
  const testMs = Math.round(test.ms);
  if (trainMs <= 0 || testMs <= 0) throw new SweepRefused(`--walk-forward ${spec}: both spans must be longer than 0`);
  const folds: Fold[] = [];
  for (let start = window.startMs; start + trainMs + testMs <= window.endMs; start += testMs) {
    const trainEnd = start + trainMs;
    folds.push({
      index: folds.length,
      train: { startMs: start, endMs: trainEnd },
      test: { startMs: trainEnd, endMs: trainEnd + testMs },
    });
  }
  if (folds.length === 0)
    throw new SweepRefused(
      `--walk-forward ${spec}: a training span and a test span (${(trainMs + testMs) / 1000} s) do not fit in the ` +
        `window (${windowMs / 1000} s)`,
    );
  return folds;
}

export const isoMs = (ms: number) => new Date(ms).toISOString();
