import { Type, type Static } from '@sinclair/typebox';
import { alertFilterFields, AlertView } from './alerts.js';
import {
  Body,
  doc,
  errors,
  IdParams,
  IsoTime,
  limitQuery,
  List,
  literals,
  Nullable,
  outlooks,
  severities,
  text,
} from './common.js';

/** The inbox over alerts: groups of repeats (one tenant, one rule), snoozes and mutes. */

export const silenceKinds = ['snooze', 'mute'] as const;

/** A snooze (one alert) or a mute (a tenant + rule) until a time. */
export const Silence = Type.Object({
  id: Type.String(),
  kind: literals(silenceKinds, 'snooze: one alert is hidden and silent; mute: a tenant + rule is'),
  alertId: Nullable(Type.String({ description: 'The snoozed alert (null for a mute)' })),
  tenantId: Type.String(),
  rule: Type.String(),
  until: IsoTime,
  comment: Nullable(Type.String()),
  createdBy: Type.String({ description: 'Who set it (user or API key id)' }),
  createdByName: Nullable(Type.String({ description: 'Their name or email, for a known user' })),
  createdAt: IsoTime,
  cancelledBy: Nullable(Type.String()),
  cancelledAt: Nullable(IsoTime),
  active: Type.Boolean({ description: 'Neither expired nor cancelled' }),
});
export type Silence = Static<typeof Silence>;

export const AlertGroup = Type.Object({
  tenantId: Type.String(),
  rule: Type.String(),
  ruleName: Type.String(),
  severity: literals(severities, 'The highest severity among its alerts'),
  outlook: literals(outlooks),
  title: Type.String({ description: 'The newest alert’s title' }),
  alerts: Type.Integer({ description: 'Alerts in the group (matching the filters)' }),
  occurrences: Type.Integer({ description: 'Occurrences summed over those alerts' }),
  open: Type.Integer(),
  acknowledged: Type.Integer(),
  resolved: Type.Integer(),
  amount: Nullable(Type.Number({ description: 'USD summed over its alerts' })),
  firstSeen: IsoTime,
  lastSeen: IsoTime,
  sparkline: Type.Object(
    {
      from: IsoTime,
      to: IsoTime,
      counts: Type.Array(Type.Integer(), {
        description: 'Occurrences per equal slice of [from, to), by when each alert last fired',
      }),
    },
    { description: 'Occurrences over time, the same slices for every group of the answer' },
  ),
  mute: Nullable(Silence),
  /** The alert seen last (matching the filters): the row itself when the group holds one. */
  latest: AlertView,
});
export type AlertGroup = Static<typeof AlertGroup>;

const Until = {
  until: Type.Optional(IsoTime),
  minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 * 24 * 60, description: 'From now' })),
  comment: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
};
const SilenceId = IdParams('Snooze or mute id');

export const alertInboxRoutes = {
  listGroups: {
    ...doc(
      'Alerts grouped by tenant + rule (a row per group, with counts and a sparkline); same filters as the list',
      'alerts:read',
    ),
    querystring: Type.Object({ ...alertFilterFields, limit: Type.Optional(limitQuery(1000, 50)) }),
    response: {
      200: Type.Object({
        groups: Type.Array(AlertGroup, { description: 'Newest first (by last seen)' }),
        hasMore: Type.Boolean(),
        nextCursor: Nullable(
          Type.String({ description: 'Pass as cursor for the next page; null on the last' }),
        ),
      }),
      ...errors,
    },
  },
  snoozeAlert: {
    ...doc(
      'Snooze an alert until a time (`until`, or `minutes` from now): hidden and silent meanwhile',
      'alerts:write',
    ),
    params: IdParams('Alert id'),
    body: Body(Until),
    response: { 200: Silence, ...errors },
  },
  unsnoozeAlert: {
    ...doc('Cancel the snooze of an alert', 'alerts:write'),
    params: IdParams('Alert id'),
    response: { 200: Silence, ...errors },
  },
  snoozeGroup: {
    ...doc('Snooze every open or acknowledged alert of a tenant + rule until a time', 'alerts:write'),
    body: Body({ tenant: Type.String(), rule: Type.String(), ...Until }),
    response: { 200: Type.Object({ snoozes: List(Silence) }), ...errors },
  },
  listMutes: {
    ...doc('Mutes of a tenant + rule (active ones unless `all=true`)', 'alerts:read'),
    querystring: Type.Object({
      all: Type.Optional(text('true: expired and cancelled mutes too')),
      limit: Type.Optional(limitQuery(10_000, 100)),
    }),
    response: { 200: Type.Object({ mutes: List(Silence) }), ...errors },
  },
  createMute: {
    ...doc(
      'Mute a tenant + rule until a time: new occurrences are recorded, not notified, not in the default inbox',
      'alerts:write',
    ),
    body: Body({ tenant: Type.String(), rule: Type.String(), ...Until }),
    response: { 200: Silence, ...errors },
  },
  cancelMute: {
    ...doc('Cancel a mute (or a snooze) by id', 'alerts:write'),
    params: SilenceId,
    response: { 200: Silence, ...errors },
  },
} as const;
