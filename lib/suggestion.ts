/** Levenshtein distance, ignoring case. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] === y[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[y.length];
}

/**
 * The known name a mistyped one most likely meant, for "did you mean" hints (the API's option
 * names and the CLI's flags): one it starts, or that starts it, else the nearest by edit distance
 * when that is close enough to be a typo.
 */
export function closestName(input: string, names: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const prefixed =
    lower.length >= 2 ? names.find((name) => name.length >= 2 && (name.toLowerCase().startsWith(lower) || lower.startsWith(name.toLowerCase()))) : undefined;
  if (prefixed) return prefixed;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const dist = editDistance(input, name);
    if (dist < bestDistance) {
      best = name;
      bestDistance = dist;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}
