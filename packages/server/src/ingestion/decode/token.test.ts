import { describe, expect, it } from 'vitest';

import { CaptureError } from './capture-error.js';
import { resolveToken, validateToken } from './token.js';

function rejection(fn: () => unknown): CaptureError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CaptureError) return error;
    throw error;
  }
  throw new Error('expected a CaptureError');
}

const events = (...sources: Record<string, unknown>[]) =>
  sources.map((source) => ({ source, properties: source.properties as Record<string, unknown> | undefined }));

describe('validateToken (token.rs)', () => {
  it('trims and accepts a well-formed token', () => {
    expect(validateToken('phc_hellothere\n')).toBe('phc_hellothere');
    expect(validateToken('\t phc_x \r\n')).toBe('phc_x');
    expect(validateToken('x'.repeat(64))).toBe('x'.repeat(64));
  });

  it.each([
    ['', 'empty'],
    ['   \n', 'empty'],
    ['x'.repeat(65), 'too_long'],
    ['é'.repeat(33), 'too_long'], // 66 bytes: the length check counts bytes and comes first
    ['🦀', 'not_ascii'],
    ['phx_hellothere', 'personal_api_key'],
    ['hello\0there', 'null_byte'],
  ])('refuses %j as %s with 401', (token, reason) => {
    const error = rejection(() => validateToken(token));
    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_token');
    expect(error.message).toBe(`API key is not valid: ${reason}`);
  });
});

describe('resolveToken (extract_and_verify_token)', () => {
  it('prefers the batch token over per-event tokens', () => {
    expect(resolveToken(events({ token: 'token1' }), 'batched', undefined)).toBe('batched');
  });

  it('returns the batch token even when empty (the caller validates it)', () => {
    expect(resolveToken(events({ token: 'token1' }), '', undefined)).toBe('');
    expect(rejection(() => validateToken('')).message).toBe('API key is not valid: empty');
  });

  it('reads token, $token, api_key, then properties.token', () => {
    expect(resolveToken(events({ token: 't' }), undefined, undefined)).toBe('t');
    expect(resolveToken(events({ $token: 't$' }), undefined, undefined)).toBe('t$');
    expect(resolveToken(events({ api_key: 'tk' }), undefined, undefined)).toBe('tk');
    expect(resolveToken(events({ properties: { token: 'tp' } }), undefined, undefined)).toBe('tp');
    expect(resolveToken(events({ token: null, properties: { token: 'tp' } }), undefined, undefined)).toBe(
      'tp',
    );
  });

  it('ignores properties.$token and non-string properties.token', () => {
    const error = rejection(() =>
      resolveToken(events({ properties: { $token: 't', token: 5 } }), undefined, undefined),
    );
    expect([error.status, error.code, error.message]).toEqual([
      401,
      'no_token',
      'event submitted without an api_key',
    ]);
  });

  it('accepts consistent tokens across events, skipping events without one', () => {
    expect(
      resolveToken(events({ token: 'a' }, {}, { properties: { token: 'a' } }), undefined, undefined),
    ).toBe('a');
  });

  it('refuses inconsistent tokens with 401', () => {
    const error = rejection(() => resolveToken(events({ token: 'a' }, { token: 'b' }), undefined, undefined));
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      'batch submitted with inconsistent api_key values (batch index 1 differs from an earlier event)',
    );
  });

  it('counts "" as a distinct token, as capture does', () => {
    expect(
      rejection(() => resolveToken(events({ token: 'a' }, { token: '' }), undefined, undefined)).code,
    ).toBe('multiple_tokens');
    expect(resolveToken(events({ token: '' }), undefined, undefined)).toBe('');
  });

  it('falls back to a Django-style form token only when nothing else gave one', () => {
    expect(resolveToken(events({}), undefined, 'form')).toBe('form');
    expect(resolveToken(events({ token: 'event' }), undefined, 'form')).toBe('event');
    expect(resolveToken(events({}), 'batch', 'form')).toBe('batch');
  });
});
