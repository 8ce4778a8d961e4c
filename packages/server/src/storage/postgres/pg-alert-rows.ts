import type { Silence } from '../../alerts/silences.js';
import type { Alert, Transition } from '../../alerts/types.js';
import {
  alertColumns,
  alertFromColumns,
  deliveryFromColumns,
  silenceFromColumns,
  type ColumnValues,
  type Row,
} from '../alert-columns.js';

/* Alert-store values as PostgreSQL rows and back (BIGINT epoch ms and NUMERIC arrive as numbers). */

export type { Row };

const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** How node-postgres hands back jsonb (parsed) and text columns. */
const postgresValues: ColumnValues = { json: (value) => value, text: textOrNull };

/** The columns of `alerts` a snapshot replaces (all but its id). */
export const alertSnapshotColumns = Object.keys(alertColumns({} as Alert)).filter((c) => c !== 'id');

export const toAlert = alertFromColumns(postgresValues);
export const toDelivery = deliveryFromColumns(postgresValues);
export const toSilence = silenceFromColumns(postgresValues);

export const toTransition = (r: Row): Transition => ({
  id: String(r.id),
  alertId: String(r.alert_id),
  kind: r.kind as Transition['kind'],
  at: Number(r.occurred_at),
  actor: String(r.actor),
  comment: textOrNull(r.comment),
  backfill: Boolean(r.backfill),
});

export const silenceDoc = (s: Silence): Row => ({
  id: s.id,
  kind: s.kind,
  alert_id: s.alertId,
  tenant_id: s.tenantId,
  rule_id: s.ruleId,
  until: s.until,
  comment: s.comment,
  created_by: s.createdBy,
  created_at: s.createdAt,
  cancelled_by: s.cancelledBy,
  cancelled_at: s.cancelledAt,
});
