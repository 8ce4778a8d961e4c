/** One sample of the Prometheus text exposition format: `name{label="value",…} value [timestamp]`. */
export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export class ExpositionError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'ExpositionError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
  }
  // Number('') is 0 and Number('0x1') is 1: the format allows neither.
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
}

/** Reads `{a="x",b="y"}` from the start of `rest`; returns the labels and what follows. */
function parseLabels(rest: string, lineNo: number): { labels: Record<string, string>; after: string } {
  const labels: Record<string, string> = {};
  let i = 1; // past '{'
  for (;;) {
    while (rest[i] === ' ') i++;
    if (rest[i] === '}') return { labels, after: rest.slice(i + 1) };
    const name = LABEL_NAME.exec(rest.slice(i))?.[0];
    if (!name) throw new ExpositionError(lineNo, `a label name was expected at column ${i + 1}`);
    i += name.length;
    while (rest[i] === ' ') i++;
    if (rest[i] !== '=' || rest[i + 1] !== '"')
      throw new ExpositionError(lineNo, `label ${name}: ="…" was expected`);
    i += 2;
    let value = '';
    for (;;) {
      const c = rest[i];
      if (c === undefined) throw new ExpositionError(lineNo, `label ${name}: the value is not closed`);
      i++;
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const escaped = ESCAPES[rest[i] ?? ''];
      if (escaped === undefined) throw new ExpositionError(lineNo, `label ${name}: unknown escape`);
      value += escaped;
      i++;
    }
    labels[name] = value;
    while (rest[i] === ' ') i++;
    if (rest[i] === ',') i++;
    else if (rest[i] !== '}') throw new ExpositionError(lineNo, `label ${name}: , or } was expected`);
  }
}

/**
 * Hand-written because npm's parser for this format (parse-prometheus-text-format) has not changed since 2020
 * and ships no types; this one reads just what Pulse needs and is tested on a real node_exporter answer.
 *
 * The samples of the metric families in `wanted` (others are skipped unread, so a large exposition costs
 * little). Comments (HELP, TYPE) are ignored; a malformed wanted line is an error naming the line.
 */
export function parseExposition(text: string, wanted: ReadonlySet<string>): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new ExpositionError(n + 1, 'a metric name was expected');
    if (!wanted.has(name)) continue;
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, after: rest } = parseLabels(rest, n + 1));
    const [valueText, ...tail] = rest.trim().split(/\s+/);
    if (!valueText || tail.length > 1) throw new ExpositionError(n + 1, `${name}: a value was expected`);
    const value = parseValue(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN')
      throw new ExpositionError(n + 1, `${name}: "${valueText}" is not a number`);
    samples.push({ name, labels, value });
  }
  return samples;
}
