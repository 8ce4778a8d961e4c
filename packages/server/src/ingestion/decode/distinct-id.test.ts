import { describe, expect, it } from 'vitest';

import { extractDistinctId, trimRust } from './distinct-id.js';

const extract = (event: Record<string, unknown>) =>
  extractDistinctId(event, event.properties as Record<string, unknown> | undefined);

describe('extractDistinctId (RawEvent::extract_distinct_id)', () => {
  it('reads distinct_id, then $distinct_id, then properties.distinct_id', () => {
    expect(extract({ distinct_id: 'myid' })).toBe('myid');
    expect(extract({ $distinct_id: '23' })).toBe('23');
    expect(extract({ properties: { distinct_id: 'from-props' } })).toBe('from-props');
    expect(extract({ distinct_id: 23, properties: { distinct_id: 'myid' } })).toBe('23');
    expect(extract({ distinct_id: null, properties: { distinct_id: 'myid' } })).toBe('myid');
  });

  it('JSON-encodes non-strings, object keys sorted like serde_json', () => {
    expect(extract({ distinct_id: 23 })).toBe('23');
    expect(extract({ distinct_id: 23.4 })).toBe('23.4');
    expect(extract({ distinct_id: true })).toBe('true');
    expect(extract({ distinct_id: ['a', 'b'] })).toBe('["a","b"]');
    expect(extract({ distinct_id: { string: 'a', number: 3 } })).toBe('{"number":3,"string":"a"}');
  });

  it('is missing when absent, null, empty or whitespace-only (no fallback once top-level is set)', () => {
    expect(extract({})).toBeUndefined();
    expect(extract({ distinct_id: null })).toBeUndefined();
    expect(extract({ distinct_id: '' })).toBeUndefined();
    expect(extract({ distinct_id: ' \t\n' })).toBeUndefined();
    expect(extract({ distinct_id: '\u3000\u0085' })).toBeUndefined();
    expect(extract({ distinct_id: '', properties: { distinct_id: 'x' } })).toBeUndefined();
    expect(extract({ properties: { distinct_id: null } })).toBeUndefined();
  });

  it('keeps surrounding whitespace on a real id', () => {
    expect(extract({ distinct_id: '  hello  ' })).toBe('  hello  ');
  });

  it('replaces NUL with U+FFFD', () => {
    expect(extract({ distinct_id: 'a\0b' })).toBe('a\uFFFDb');
    expect(extract({ distinct_id: '\0' })).toBe('\uFFFD');
  });

  it('cuts to 200 characters, counting code points not UTF-16 units', () => {
    expect(extract({ distinct_id: 'x'.repeat(250) })).toBe('x'.repeat(200));
    expect(extract({ distinct_id: 'y'.repeat(200) })).toBe('y'.repeat(200));
    expect(extract({ distinct_id: '€'.repeat(250) })).toBe('€'.repeat(200));
    const astral = '😀'.repeat(150); // 300 UTF-16 units, 150 characters: unchanged
    expect(extract({ distinct_id: astral })).toBe(astral);
    expect(extract({ distinct_id: '😀'.repeat(250) })).toBe('😀'.repeat(200));
  });
});

describe('trimRust', () => {
  it('strips Unicode White_Space, not U+FEFF', () => {
    expect(trimRust('\u0085 a \u2029')).toBe('a');
    expect(trimRust('\uFEFFa')).toBe('\uFEFFa');
    expect(trimRust('abc')).toBe('abc');
  });
});
