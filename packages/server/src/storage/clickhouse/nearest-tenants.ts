/**
 * Edit distance where a transposition of neighbours counts once (optimal string alignment), as the
 * embedded store's damerau_levenshtein ranks names.
 */
export function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  const d = new Array<number>((a.length + 1) * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j] ?? 0;
  for (let i = 0; i <= a.length; i++) d[i * cols] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The tenant ids nearest to a name nobody has used, for "did you mean": case-insensitive, those the name
 * begins first, then by edit distance, at most a third of the name's length (and at least 2) away; ties by id.
 */
export function rankNearest(name: string, tenants: readonly string[], limit: number): string[] {
  const typed = name.toLowerCase();
  const maxDistance = Math.max(2, Math.ceil(typed.length / 3));
  return tenants
    .map((tenant) => {
      const id = tenant.toLowerCase();
      return { tenant, prefix: id.startsWith(typed), distance: editDistance(id, typed) };
    })
    .filter((t) => t.prefix || t.distance <= maxDistance)
    .sort(
      (a, b) =>
        Number(b.prefix) - Number(a.prefix) ||
        a.distance - b.distance ||
        (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0),
    )
    .slice(0, limit)
    .map((t) => t.tenant);
}
