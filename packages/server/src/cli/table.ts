import { cellText } from '../text.js';

export interface TableOptions {
  /** What to print when there are no rows (default "Nothing to show."). */
  empty?: string;
  /** Width to fit (default the terminal's when stdout is one, else unbounded). */
  width?: number;
}

const narrowest = 8;
const widest = 60;

/** Shrinks the widest columns, one step at a time, until the line fits (each keeps at least 8). */
function fitWidths(widths: number[], available: number): number[] {
  const fitted = [...widths];
  const total = () => fitted.reduce((sum, w) => sum + w, 0) + 2 * (fitted.length - 1);
  while (total() > available) {
    const max = Math.max(...fitted);
    if (max <= narrowest) break;
    fitted[fitted.indexOf(max)] = max - 1;
  }
  return fitted;
}

/** A plain-text table for people that fits the terminal; `--json` is the machine output. */
export function formatTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  options: TableOptions = {},
): string {
  if (!rows.length) return options.empty ?? 'Nothing to show.';
  const cell = cellText;
  const natural = columns.map((c) =>
    Math.min(widest, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))),
  );
  const available = options.width ?? (process.stdout.isTTY ? process.stdout.columns : undefined);
  const widths = available ? fitWidths(natural, available) : natural;
  const line = (values: string[]) =>
    values
      .map((v, i) =>
        v.length > (widths[i] ?? 0) ? `${v.slice(0, (widths[i] ?? 1) - 1)}…` : v.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [
    line([...columns]),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n');
}

export function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : human()}\n`);
}
