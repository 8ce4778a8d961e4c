import { describe, expect, it } from 'vitest';
import { decodeBatches, encodeBatches } from './batch-codec.js';

describe('event bus rows', () => {
  it('carry committed batches whole, and come back marked as another process’s', () => {
    const events = [
      {
        uuid: '0195aaaa-0000-7000-8000-000000000001',
        event: 'revenue_impact_event',
        distinctId: 'acme',
        timestamp: 1_760_000_000_000,
        properties: { tenant_id: 'acme', impact_amount: 12.5, tags: ['a', 'b'], nested: { x: null } },
        tenantId: 'acme',
        ingestedAt: 1_760_000_000_100,
      },
      {
        uuid: '0195aaaa-0000-7000-8000-000000000002',
        event: 'page_view',
        distinctId: 'u',
        timestamp: 1_760_000_000_001,
        properties: {},
        tenantId: null,
        ingestedAt: 1_760_000_000_100,
      },
    ];
    const batches = [
      { events, committedAt: 1_760_000_000_200 },
      { events: events.slice(1), committedAt: 1_760_000_000_300 },
    ];
    expect(decodeBatches(encodeBatches(batches))).toEqual(batches.map((b) => ({ ...b, peer: true })));
  });

  it('refuse a layout this process does not know, naming it', () => {
    expect(() => decodeBatches(JSON.stringify({ v: 2, batches: [] }))).toThrow(
      /layout 2 \(this process reads layout 1\)/,
    );
  });
});
