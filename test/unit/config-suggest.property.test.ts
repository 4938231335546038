import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closestKey } from "../../src/config/suggest.js";

/** The plain definition, as a full table: the pruned, three-row search must choose exactly as it does. */
function referenceDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function referenceClosest(typed: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(typed.length / 3)) + 1;
  for (const candidate of known) {
    const [a, b] = [typed.toLowerCase(), candidate.toLowerCase()];
    const distance = a.length >= 3 && (b.startsWith(a) || a.startsWith(b)) ? 1 : referenceDistance(a, b);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

const key = fc.stringMatching(/^[a-dA-D_]{0,12}$/);

describe("closestKey", () => {
  it("chooses as the full edit-distance table does, for keys up to 64 characters", () => {
    fc.assert(
      fc.property(key, fc.array(key, { maxLength: 12 }), (typed, known) => {
        expect(closestKey(typed, known)).toBe(referenceClosest(typed, known));
      }),
      { numRuns: 3000 },
    );
  });

  it("suggests for typos, swaps and missing unit suffixes, and not for keys past 64 characters", () => {
    const known = ["atr_period", "latency_ms", "mode"];
    expect(closestKey("atr_peroid", known)).toBe("atr_period");
    expect(closestKey("latency", known)).toBe("latency_ms");
    expect(closestKey("mdoe", known)).toBe("mode");
    expect(closestKey("colour", known)).toBeUndefined();
    expect(closestKey(`latency_ms${"x".repeat(60)}`, known)).toBeUndefined();
  });
});
