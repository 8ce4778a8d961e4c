/**
 * Where and why a JSON text is invalid, in serde_json's words ("expected value at line 1 column
 * 5"), which is what capture puts after "failed to parse request: ". Only runs after `JSON.parse`
 * has already failed, so it needs to be correct, not fast. Iterative: no recursion on deep input.
 */

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line} column ${offset - lineStart + 1}`;
}

/** Describes the first syntax error in `text`, or undefined if it finds none. */
export function describeJsonError(text: string): string | undefined {
  let i = 0;
  const n = text.length;
  const fail = (message: string, at = i) => `${message} at ${lineColumn(text, at)}`;
  // serde reports end-of-input errors at the last character read.
  const eof = (message: string) => fail(message, n - 1);
  const skipWs = () => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  // Containers still open: '[' or '{'.
  const stack: number[] = [];

  /** Parses one scalar at i (or opens a container); returns an error message or undefined. */
  const value = (): string | undefined => {
    skipWs();
    if (i >= n) return eof('EOF while parsing a value');
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      stack.push(c);
      i++;
      return undefined;
    }
    if (c === 0x22) return string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return number();
    for (const word of ['true', 'false', 'null']) {
      if (c === word.charCodeAt(0)) {
        for (let k = 0; k < word.length; k++, i++) {
          if (i >= n) return eof('EOF while parsing a value');
          if (text.charCodeAt(i) !== word.charCodeAt(k)) return fail('expected ident');
        }
        return undefined;
      }
    }
    return fail('expected value');
  };

  const string = (): string | undefined => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail('control character (\\u0000-\\u001F) found while parsing a string');
      if (c === 0x5c) {
        i++;
        if (i >= n) break;
        const e = text.charCodeAt(i);
        if (e === 0x75) {
          for (let k = 1; k <= 4; k++) {
            if (i + k >= n) return eof('EOF while parsing a string');
            if (!/[0-9a-fA-F]/.test(text.charAt(i + k))) return fail('invalid escape', i + k);
          }
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text.charAt(i))) {
          return fail('invalid escape');
        }
      }
      i++;
    }
    return eof('EOF while parsing a string');
  };

  const number = (): string | undefined => {
    const start = i;
    if (text.charCodeAt(i) === 0x2d) i++;
    const digits = () => {
      const from = i;
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      return i - from;
    };
    if (text.charCodeAt(i) === 0x30) i++;
    else if (digits() === 0) return i >= n ? eof('EOF while parsing a value') : fail('invalid number');
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (digits() === 0) return i >= n ? eof('EOF while parsing a value') : fail('invalid number');
    }
    if (text.charCodeAt(i) === 0x65 || text.charCodeAt(i) === 0x45) {
      i++;
      if (text.charCodeAt(i) === 0x2b || text.charCodeAt(i) === 0x2d) i++;
      if (digits() === 0) return i >= n ? eof('EOF while parsing a value') : fail('invalid number');
    }
    return i > start ? undefined : fail('invalid number');
  };

  let error = value();
  // After a value: close containers or move to the next element.
  let justOpened = stack.length > 0;
  while (error === undefined) {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      skipWs();
      return i < n ? fail('trailing characters') : undefined;
    }
    skipWs();
    if (i >= n) return eof(top === 0x5b ? 'EOF while parsing a list' : 'EOF while parsing an object');
    const c = text.charCodeAt(i);
    const close = top === 0x5b ? 0x5d : 0x7d;
    if (c === close) {
      stack.pop();
      i++;
      justOpened = false;
      continue;
    }
    if (!justOpened) {
      if (c !== 0x2c) return fail(top === 0x5b ? 'expected `,` or `]`' : 'expected `,` or `}`');
      i++;
      skipWs();
      if (i < n && text.charCodeAt(i) === close) return fail('trailing comma');
    }
    if (top === 0x7b) {
      skipWs();
      if (i >= n) return eof('EOF while parsing an object');
      if (text.charCodeAt(i) !== 0x22) return fail('key must be a string');
      error = string();
      if (error !== undefined) break;
      skipWs();
      if (i >= n) return eof('EOF while parsing an object');
      if (text.charCodeAt(i) !== 0x3a) return fail('expected `:`');
      i++;
    }
    const depth = stack.length;
    error = value();
    justOpened = stack.length > depth;
  }
  return error;
}
