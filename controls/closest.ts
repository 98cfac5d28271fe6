/**
 * "Did you mean" for names a user typed (stack config keys, policy names, policy parameters):
 * one helper, so the stack and the policy pack suggest alike.
 */

/** Levenshtein distance, case-insensitive (names here are short: a few dozen characters). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length];
}

/**
 * The candidate `name` most likely meant: equal ignoring case, a prefix either way, or within a
 * few typos (a third of the name's length, at least 2); undefined when nothing is that close.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const byPrefix = candidates.find(
    (c) =>
      c.toLowerCase() === lower || c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase()),
  );
  if (byPrefix !== undefined) return byPrefix;
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
