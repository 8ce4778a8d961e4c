import { describe, expect, it } from 'vitest';

import { decodeBase64Strict, isLikelyBase64, isLikelyUrlencodedForm } from './base64.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('isLikelyBase64', () => {
  it('wants a non-empty, 4-aligned run of the standard alphabet', () => {
    expect(isLikelyBase64(bytes('eyJhIjoxfQ=='))).toBe(true);
    expect(isLikelyBase64('eyJhIjoxfQ==')).toBe(true);
    expect(isLikelyBase64(bytes(''))).toBe(false);
    expect(isLikelyBase64(bytes('abc'))).toBe(false);
    expect(isLikelyBase64(bytes('{"a":1}!'))).toBe(false);
    expect(isLikelyBase64(bytes('ab-_'))).toBe(false); // URL-safe alphabet is not standard
  });

  it('accepts spaces only when loose (form values whose + became a space)', () => {
    expect(isLikelyBase64('ab c')).toBe(false);
    expect(isLikelyBase64('ab c', true)).toBe(true);
  });

  it('looks at the first 128 characters only, like capture', () => {
    expect(isLikelyBase64(`${'A'.repeat(128)}!!!!`)).toBe(true);
    expect(isLikelyBase64(`${'A'.repeat(127)}!!!!!`)).toBe(false);
  });
});

describe('isLikelyUrlencodedForm', () => {
  it.each(['data=x', '_=1', 'ip=1', 'compression=gzip', 'ver=1&data=x', 'a=b&_=1'])(
    'sees a form in %s',
    (text) => {
      expect(isLikelyUrlencodedForm(bytes(text))).toBe(true);
    },
  );

  it.each(['{"data=":1}', 'xdata=1', 'eyJkYXRhIjoxfQ==', ''])('sees no form in %s', (text) => {
    expect(isLikelyUrlencodedForm(bytes(text))).toBe(false);
  });

  it('only within the first 128 bytes', () => {
    expect(isLikelyUrlencodedForm(bytes(`${'x'.repeat(130)}&data=1`))).toBe(false);
  });
});

describe('decodeBase64Strict', () => {
  it('decodes padded standard base64', () => {
    expect(decodeBase64Strict(bytes('eyJhIjoxfQ=='))?.toString()).toBe('{"a":1}');
    expect(decodeBase64Strict('aGk=')?.toString()).toBe('hi');
    expect(decodeBase64Strict('aGkh')?.toString()).toBe('hi!');
  });

  it.each([
    ['missing padding', 'aGk'],
    ['padding in the middle', 'aG=k'],
    ['too much padding', 'a==='],
    ['stray character', 'aG!k'],
    ['non-zero trailing bits', 'aGl='],
    ['non-zero trailing bits before ==', 'aB=='],
    ['URL-safe alphabet', 'a-_k'],
  ])('refuses %s (Node alone would accept it)', (_why, text) => {
    expect(decodeBase64Strict(text)).toBeUndefined();
    expect(decodeBase64Strict(bytes(text))).toBeUndefined();
  });
});
