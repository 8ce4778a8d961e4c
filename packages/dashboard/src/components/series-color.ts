/** The categorical palette: custom properties defined per theme in styles.css (--c7, a grey, is for "others"). */
const palette = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6', '--c8'] as const;

/** The colour of what is left after the named series ("other metrics"). */
export const othersColor = '--c7';

/**
 * A series' colour from its name alone (an FNV-1a hash into the palette), so a series keeps its colour
 * whatever range or tenant is shown and whichever other series stand beside it.
 */
export function seriesColor(name: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return palette[(hash >>> 0) % palette.length] ?? '--c1';
}
