import { describe, expect, it } from 'vitest';
import type { SyncSource } from '../config/sync-keys.js';
import { mapSubscriptions, mapTenantNames } from './map-rows.js';

const source = (target: SyncSource['target'], key = 'tenant_id'): SyncSource => ({
  name: 'billing',
  url: 'postgres://reader@db/app',
  read: { view: 'v' },
  target,
  intervalSeconds: 60,
  key,
  maxRows: 100,
  statementTimeoutSeconds: 30,
});
const row = (fields: Record<string, unknown>) => ({
  tenant_id: 't1',
  status: 'active',
  plan_name: 'Pro',
  price_monthly: '99.50',
  current_period_start: null,
  current_period_end: null,
  ...fields,
});

describe('mapSubscriptions', () => {
  it('reads PostgreSQL values: numeric text, timestamptz as a Date, date and zone-less timestamp text as UTC', () => {
    const read = mapSubscriptions(
      source('subscriptions'),
      [
        row({
          current_period_start: new Date('2026-11-01T00:00:00Z'),
          current_period_end: '2026-12-01',
        }),
        row({ tenant_id: 42, current_period_start: '2026-11-01 06:30:00', current_period_end: null }),
      ],
      0,
    );
    expect(read.invalid).toEqual([]);
    expect(read.rows).toMatchObject([
      {
        tenantId: 't1',
        priceMonthly: 99.5,
        currentPeriodStart: Date.UTC(2026, 10, 1),
        currentPeriodEnd: Date.UTC(2026, 11, 1),
      },
      { tenantId: '42', currentPeriodStart: Date.UTC(2026, 10, 1, 6, 30) },
    ]);
  });

  it('lists each bad row with its reason and keeps its tenant, applying the others', () => {
    const read = mapSubscriptions(
      source('subscriptions'),
      [
        row({ tenant_id: 'ok' }),
        row({ tenant_id: 'late', current_period_start: '2026-12-02', current_period_end: '2026-12-01' }),
        row({ tenant_id: '  ' }),
        row({ tenant_id: 'twice' }),
        row({ tenant_id: 'twice', price_monthly: 'ten' }),
      ],
      0,
    );
    expect(read.rows.map((r) => r.tenantId)).toEqual(['ok']);
    expect([...read.kept].sort()).toEqual(['late', 'twice']);
    expect(read.invalid).toEqual([
      { row: 2, tenantId: 'late', reason: 'current_period_end must be after current_period_start' },
      { row: 3, tenantId: null, reason: 'tenant_id (the tenant id) is empty' },
      { row: 4, tenantId: 'twice', reason: 'tenant twice appears in more than one row (rows 4, 5)' },
      { row: 5, tenantId: 'twice', reason: 'tenant twice appears in more than one row (rows 4, 5)' },
    ]);
  });

  it('refuses a read without the columns its target needs, naming them', () => {
    expect(() =>
      mapSubscriptions(source('subscriptions'), [{ tenant_id: 't1', status: 'active' }], 0),
    ).toThrow(
      'the source has no column plan_name, price_monthly, current_period_start, current_period_end (it has tenant_id, status)',
    );
  });
});

describe('mapTenantNames', () => {
  it('reads names by the configured key column', () => {
    const read = mapTenantNames(source('tenants', 'id'), [
      { id: 'a', display_name: ' Acme ' },
      { id: 'b', display_name: '' },
    ]);
    expect(read.rows).toEqual([{ tenantId: 'a', displayName: 'Acme' }]);
    expect(read.invalid).toEqual([
      { row: 2, tenantId: 'b', reason: 'display_name must be text of 1 to 200 characters' },
    ]);
  });
});
