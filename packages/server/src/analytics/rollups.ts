import { isBusinessEventName } from '@pulse/events';
import { RowKind, type RebuildRows } from '../storage/analytics-reads.js';
import type { StoredEvent } from '../storage/event-store.js';
import { keepLatest, offerAction, TenantRollups } from './day-rollup.js';
import { dayOf, factOf, LATE_GRACE_MS, summaryEventTypes, type Fact } from './facts.js';

/** Every tenant's day rollups, kept exact from the committed-event stream (see analytics.ts). */
export class Rollups {
  readonly tenants = new Map<string, TenantRollups>();
  private readonly strings = new Map<string, string>();

  constructor(readonly lateGraceMs = LATE_GRACE_MS) {}

  readonly intern = (s: string): string => {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  };

  tenant(id: string): TenantRollups {
    let tenant = this.tenants.get(id);
    if (!tenant) {
      tenant = new TenantRollups(this.intern(id), this.intern);
      this.tenants.set(tenant.id, tenant);
    }
    return tenant;
  }

  apply(fact: Fact): void {
    const tenant = this.tenant(fact.tenant);
    tenant.day(dayOf(fact.timestamp)).add(fact, tenant, this.lateGraceMs);
  }
}

/** Applies a committed event; returns whether it fed a metric. Tenants of any business event are registered. */
export function applyEvent(rollups: Rollups, event: StoredEvent, fact: Fact | null = factOf(event)): boolean {
  if (fact) rollups.apply(fact);
  else if (event.tenantId !== null && isBusinessEventName(event.event)) rollups.tenant(event.tenantId);
  return fact !== null;
}

/** The snapshot's newest ingestion time and the uuids ingested at that instant (RowKind.highWater). */
export interface HighWater {
  ingestedAt: number;
  uuids: Set<string>;
}

/**
 * Folds rebuild rows (AnalyticsReads.rebuildRows) into `rollups`. Returns the snapshot's high-water mark,
 * null when the store holds no business event.
 */
export function applyRebuildRows(rollups: Rollups, result: RebuildRows): HighWater | null {
  const { kind, tenant: t, day: g, key: k, ts, a, b, c, uuid: u, eventType: ty, text: s } = result;
  const strings: string[] = [];
  for (let i = 0; i < result.rows; i++)
    if (kind[i] === RowKind.dictionary) strings[k[i] as number] = rollups.intern(s[i] ?? '');
  const text = (id: number) => strings[id] ?? '';
  let highWater: HighWater | null = null;
  let tenant: TenantRollups | null = null;
  for (let i = 0; i < result.rows; i++) {
    const rowKind = kind[i] as number;
    if (rowKind === RowKind.dictionary) continue;
    if (rowKind === RowKind.highWater) {
      highWater ??= { ingestedAt: ts[i] as number, uuids: new Set() };
      highWater.uuids.add(u[i] ?? '');
      continue;
    }
    const tenantId = text(t[i] as number);
    if (tenant?.id !== tenantId) tenant = rollups.tenant(tenantId);
    if (rowKind === RowKind.tenant) continue;
    const rollup = tenant.day(g[i] as number);
    switch (rowKind) {
      case RowKind.revenue:
        rollup.revenuePositive += orZero(a[i]);
        rollup.revenueNegative += orZero(b[i]);
        rollup.revenueEvents += orZero(c[i]);
        break;
      case RowKind.cost:
        rollup.realized += orZero(a[i]);
        rollup.projected += orZero(b[i]);
        break;
      case RowKind.email:
        rollup.emails += orZero(a[i]);
        rollup.bouncedEmails += orZero(b[i]);
        break;
      case RowKind.efficiency:
        keepLatest(
          rollup.efficiency,
          tenant.metrics.idOf(text(k[i] as number)),
          ts[i] as number,
          a[i] as number,
        );
        break;
      case RowKind.resource:
        keepLatest(
          rollup.resources,
          tenant.resources.idOf(text(k[i] as number)),
          ts[i] as number,
          a[i] as number,
        );
        break;
      case RowKind.decision:
        rollup.addDecision(tenant.decisions.idOf(text(k[i] as number)));
        break;
      case RowKind.action: {
        const eventType = summaryEventTypes[ty[i] as number];
        if (eventType === undefined) break;
        offerAction(rollup.actions, {
          action: text(k[i] as number),
          stake: a[i] as number,
          timestamp: ts[i] as number,
          uuid: u[i] ?? '',
          eventType,
          tenant: tenant.id,
        });
        break;
      }
      case RowKind.late:
        rollup.lateIngestedAt = Math.max(rollup.lateIngestedAt, a[i] as number);
        break;
    }
  }
  return highWater;
}

/** SQL sums over no rows are NULL (read as NaN). */
const orZero = (n: number | undefined): number => (n === undefined || Number.isNaN(n) ? 0 : n);
