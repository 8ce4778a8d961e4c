import { describe, expect, it } from 'vitest';

import { normalizeUuid } from './uuid.js';

describe('normalizeUuid', () => {
  it.each([
    ['01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d', '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d'],
    ['01955C3A-7E11-7C2E-9A4B-3F0D8A1B2C3D', '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d'],
    ['01955c3a7e117c2e9a4b3f0d8a1b2c3d', '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d'],
    ['{01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d}', '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d'],
    ['urn:uuid:01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d', '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d'],
    ['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'], // any version
    ['550e8400-e29b-41d4-a716-446655440000', '550e8400-e29b-41d4-a716-446655440000'],
  ])('accepts %s', (input, expected) => {
    expect(normalizeUuid(input)).toBe(expected);
  });

  it.each([
    'not-a-uuid',
    '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3',
    '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3g',
    '01955c3a_7e11_7c2e_9a4b_3f0d8a1b2c3d',
    '{01955c3a7e117c2e9a4b3f0d8a1b2c3d}',
    ' 01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d',
    '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d ',
  ])('refuses %s', (input) => {
    expect(normalizeUuid(input)).toBeUndefined();
  });
});
