import { describe, expect, it } from 'vitest';

import { describeJsonError } from './json-error.js';

describe('describeJsonError (serde_json wording)', () => {
  it.each([
    ['{"a":}', 'expected value at line 1 column 6'],
    ['', 'EOF while parsing a value at line 1 column 0'],
    ['[1,2', 'EOF while parsing a list at line 1 column 4'],
    ['{"a":1', 'EOF while parsing an object at line 1 column 6'],
    ['{"a":1,}', 'trailing comma at line 1 column 8'],
    ['[1,]', 'trailing comma at line 1 column 4'],
    ['{"a" 1}', 'expected `:` at line 1 column 6'],
    ['{"a":1 "b":2}', 'expected `,` or `}` at line 1 column 8'],
    ['[1 2]', 'expected `,` or `]` at line 1 column 4'],
    ['{a:1}', 'key must be a string at line 1 column 2'],
    ['"abc', 'EOF while parsing a string at line 1 column 4'],
    ['{"a":1}x', 'trailing characters at line 1 column 8'],
    ['{\n  "a": tru }', 'expected ident at line 2 column 11'],
    ['"a\\qb"', 'invalid escape at line 1 column 4'],
    ['"a\u0001"', 'control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3'],
    ['-x', 'invalid number at line 1 column 2'],
    ['xyz', 'expected value at line 1 column 1'],
    ['{"batch":[{"event":"a"},{"event":}]}', 'expected value at line 1 column 34'],
  ])('%j → %s', (text, message) => {
    expect(describeJsonError(text)).toBe(message);
  });

  it('finds nothing wrong in valid JSON', () => {
    expect(describeJsonError('{"a":[1,2,{"b":null}],"c":"\\u00e9"}')).toBeUndefined();
  });

  it('copes with very deep nesting without recursion', () => {
    expect(describeJsonError(`${'['.repeat(100_000)}x`)).toBe('expected value at line 1 column 100001');
  });
});
