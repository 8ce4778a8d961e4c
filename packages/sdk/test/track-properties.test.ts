import type { TrackProperties } from '@pulse/sdk';
import { expectTypeOf, test } from 'vitest';

// Checked by `tsc -p tsconfig.test.json`: each @ts-expect-error must meet an error, or tsc fails.
test('TrackProperties keeps the catalog types, minus tenant_id', () => {
  type Revenue = TrackProperties<'revenue_impact_event'>;
  expectTypeOf<Revenue['impact_type']>().toEqualTypeOf<'negative' | 'positive'>();
  expectTypeOf<Revenue['bounce_rate']>().toEqualTypeOf<number | undefined>();

  const ok: Revenue = { impact_amount: 1, impact_type: 'positive', campaign: 'spring' }; // extras are kept
  // @ts-expect-error impact_type is required
  const missing: Revenue = { impact_amount: 1 };
  // @ts-expect-error closed enum
  const badEnum: Revenue = { impact_amount: 1, impact_type: 'neutral' };
  // @ts-expect-error a known property keeps its type despite the index signature
  const badType: Revenue = { impact_amount: 1, impact_type: 'positive', bounce_rate: '12%' };
  // @ts-expect-error tenant_id comes from the first argument
  const tenant: Revenue = { impact_amount: 1, impact_type: 'positive', tenant_id: 'tenant-1' };
  expectTypeOf([ok, missing, badEnum, badType, tenant]).toBeArray();
});
