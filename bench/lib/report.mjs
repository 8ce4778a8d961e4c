// Prints a benchmark's results as an aligned table and returns them for the caller.
export function report(title, rows) {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}\n${'─'.repeat(title.length)}`);
  for (const [key, value] of rows) console.log(`${key.padEnd(width)}  ${value}`);
  return Object.fromEntries(rows);
}

export const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
