/** "Did you mean …?" for misspelt keys: the known key within a small edit distance, if any. */

/** Longer than any key a schema has: a suggestion for it would mislead, and the search would cost. */
const MAX_SUGGESTED_LENGTH = 64;

export function closestKey(typed: string, known: readonly string[]): string | undefined {
  if (typed.length > MAX_SUGGESTED_LENGTH) return undefined;
  const a = typed.toLowerCase();
  let best: string | undefined;
  // beyond this a suggestion misleads more than it helps
  let bestDistance = Math.max(2, Math.floor(typed.length / 3)) + 1;
  for (const candidate of known) {
    const b = candidate.toLowerCase();
    // A key missing its unit suffix ("latency" for "latency_ms") is a near miss however long the suffix.
    if (a.length >= 3 && (b.startsWith(a) || a.startsWith(b))) {
      if (bestDistance > 1) [best, bestDistance] = [candidate, 1];
      continue;
    }
    // The lengths alone bound the distance from below: most candidates need no table at all.
    if (Math.abs(a.length - b.length) >= bestDistance) continue;
    const distance = editDistance(a, b);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance with adjacent transpositions (a typo swapping two letters costs 1), in three rows. */
function editDistance(a: string, b: string): number {
  let beforePrevious = new Int32Array(b.length + 1);
  let previous = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        current[j] = Math.min(current[j], beforePrevious[j - 2] + 1);
    }
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return previous[b.length];
}
