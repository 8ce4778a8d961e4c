/**
 * The categorical palette: custom properties defined per theme in styles.css. Not in it: --c7, a grey, for
 * "others", and --c6, an amber too close to the alert lines' --warn.
 */
const palette = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c8'] as const;

/** The colour of what is left after the named series ("other metrics"). */
export const othersColor = '--c7';

/** FNV-1a: a series name's own place in the palette, the same on every page. */
function hash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The colours of the series one chart shows, from their names alone, so a series keeps its colour whatever
 * range or tenant is shown. Each takes the palette colour its name hashes to; only when two names shown
 * together hash alike does the later one by name step on to the next free colour, so no two lines look alike.
 */
export function seriesColors(names: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of [...new Set(names)].sort()) {
    const start = hash(name) % palette.length;
    const free = palette.map((_, i) => palette[(start + i) % palette.length] ?? '--c1');
    const color = free.find((c) => !taken.has(c)) ?? free[0] ?? '--c1';
    taken.add(color);
    colors.set(name, color);
  }
  return colors;
}
