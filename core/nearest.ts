/**
 * "Did you mean …?": the candidate a mistyped word was most likely meant to be, for config
 * keys and values, model names and selectors.
 */

/**
 * The candidate closest to `word` if it is close enough to be a typo, else undefined. Case is
 * ignored, and swapping two neighbouring letters counts as one edit. Close enough: at most
 * `maxDistance` edits; by default a third of the word's length (1 to 3), so that a short word
 * is not "corrected" into an unrelated one.
 * @example nearest('tpye', ['type', 'path', 'url']) // 'type'
 * @example nearest('cals', ['calls', 'messages'], 3) // 'calls'
 */
export function nearest(word: string, candidates: Iterable<string>, maxDistance = Math.max(1, Math.min(3, Math.floor(word.length / 3)))): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= maxDistance && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = value;
    }
  }
  return at(a.length, b.length);
}
