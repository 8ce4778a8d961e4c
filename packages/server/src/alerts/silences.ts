import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.js';
import type { AlertStore } from '../storage/alert-store.js';
import { AlertStateError } from './lifecycle.js';
import type { Alert } from './types.js';

export const silenceKinds = ['snooze', 'mute'] as const;
export type SilenceKind = (typeof silenceKinds)[number];

/**
 * A snooze (one alert) or a mute (every alert of a tenant + rule, new occurrences included) until a time:
 * while it holds, the alerts it covers are recorded as usual but notify nobody and are left out of the
 * default inbox. It ends by itself at `until`, or earlier when cancelled.
 */
export interface Silence {
  id: string;
  kind: SilenceKind;
  /** The snoozed alert; null for a mute. */
  alertId: string | null;
  tenantId: string;
  ruleId: string;
  until: number;
  comment: string | null;
  createdBy: string;
  createdAt: number;
  cancelledBy: string | null;
  cancelledAt: number | null;
}

/** What the silences holding at one moment cover, for a store query to leave out (or keep only). */
export interface SilencedSet {
  alertIds: string[];
  tenantRules: { tenantId: string; ruleId: string }[];
}

export const holdsAt = (s: Silence, at: number): boolean => s.cancelledAt === null && s.until > at;

/** The longest a snooze or mute may last. */
const MAX_MS = 366 * 24 * 3_600_000;

/** `until` (ISO) or `minutes` from now, exactly one, in the future and within a year. */
export function untilOf(input: { until?: string; minutes?: number }, now: number): number {
  if ((input.until === undefined) === (input.minutes === undefined))
    throw new ValidationError('until', 'give either until (an ISO 8601 time) or minutes (from now)');
  const until = input.minutes !== undefined ? now + input.minutes * 60_000 : Date.parse(input.until ?? '');
  if (!Number.isFinite(until))
    throw new ValidationError('until', `must be an ISO 8601 time; received ${JSON.stringify(input.until)}`);
  if (until <= now) throw new ValidationError('until', 'must be in the future');
  if (until - now > MAX_MS) throw new ValidationError('until', 'must be within a year from now');
  return until;
}

const ruleTenant = (tenantId: string, ruleId: string) => `${ruleId}|${tenantId}`;

/**
 * Snoozes and mutes: stored (they survive a restart), and the ones still holding kept in memory, so the
 * path to a notification asks without a query. Expiry needs no timer: a silence holds while `until` is
 * ahead of the clock.
 */
export function createSilences(deps: {
  store: Pick<AlertStore, 'listSilences' | 'writeSilences'>;
  clock: () => number;
  newId?: () => string;
  /** After a silence is stored (other processes reload theirs). */
  onSaved?: (silence: Silence) => void;
}) {
  const { store, clock } = deps;
  const newId = deps.newId ?? randomUUID;
  const held = new Map<string, Silence>();

  const holding = (at: number) => {
    const list: Silence[] = [];
    for (const s of held.values()) {
      if (holdsAt(s, at)) list.push(s);
      else held.delete(s.id);
    }
    return list;
  };

  /** The silence covering this alert now (a snooze first), or null. */
  function covering(alert: Pick<Alert, 'id' | 'tenantId' | 'ruleId'>, at = clock()): Silence | null {
    const list = holding(at);
    const key = ruleTenant(alert.tenantId, alert.ruleId);
    return (
      list.find((s) => s.kind === 'snooze' && s.alertId === alert.id) ??
      list.find((s) => s.kind === 'mute' && ruleTenant(s.tenantId, s.ruleId) === key) ??
      null
    );
  }

  async function save(silence: Silence): Promise<Silence> {
    await store.writeSilences([silence]);
    if (holdsAt(silence, clock())) held.set(silence.id, silence);
    else held.delete(silence.id);
    deps.onSaved?.(silence);
    return silence;
  }

  function cancelled(s: Silence, actor: string): Silence {
    return { ...s, cancelledBy: actor, cancelledAt: clock() };
  }

  async function create(
    kind: SilenceKind,
    target: { alertId: string | null; tenantId: string; ruleId: string },
    until: number,
    actor: string,
    comment: string | null,
  ): Promise<Silence> {
    // A new snooze of the same alert (mute of the same tenant + rule) replaces the one holding.
    const replaced = holding(clock()).filter(
      (s) =>
        s.kind === kind &&
        (kind === 'snooze'
          ? s.alertId === target.alertId
          : ruleTenant(s.tenantId, s.ruleId) === ruleTenant(target.tenantId, target.ruleId)),
    );
    for (const s of replaced) await save(cancelled(s, actor));
    return save({
      id: newId(),
      kind,
      ...target,
      until,
      comment,
      createdBy: actor,
      createdAt: clock(),
      cancelledBy: null,
      cancelledAt: null,
    });
  }

  return {
    /** Keeps the silences that hold now, as stored (at start, and after another process changed one). */
    async load(): Promise<void> {
      const holdingNow = await store.listSilences({ holdingAt: clock(), limit: 100_000 });
      held.clear();
      for (const s of holdingNow) held.set(s.id, s);
    },

    covering,
    isSilenced: (alert: Pick<Alert, 'id' | 'tenantId' | 'ruleId'>) => covering(alert) !== null,

    /** What holds now, as ids and tenant + rule pairs. */
    silencedSet(): SilencedSet {
      const list = holding(clock());
      return {
        alertIds: list.filter((s) => s.kind === 'snooze' && s.alertId !== null).map((s) => s.alertId ?? ''),
        tenantRules: list
          .filter((s) => s.kind === 'mute')
          .map((s) => ({ tenantId: s.tenantId, ruleId: s.ruleId })),
      };
    },

    snooze(alert: Alert, until: number, actor: string, comment: string | null): Promise<Silence> {
      if (alert.state === 'resolved')
        throw new AlertStateError(`cannot snooze alert ${alert.id}: it is already resolved`);
      return create(
        'snooze',
        { alertId: alert.id, tenantId: alert.tenantId, ruleId: alert.ruleId },
        until,
        actor,
        comment,
      );
    },

    mute(tenantId: string, ruleId: string, until: number, actor: string, comment: string | null) {
      return create('mute', { alertId: null, tenantId, ruleId }, until, actor, comment);
    },

    /** The silence by id, held or not (for cancelling and its scope check). */
    async get(id: string): Promise<Silence> {
      const found = held.get(id) ?? (await store.listSilences({ id, limit: 1 }))[0];
      if (!found) throw new NotFoundError(`snooze or mute ${id}`);
      return found;
    },

    /** The snooze holding this alert now. */
    snoozeOf(alertId: string): Silence {
      const found = holding(clock()).find((s) => s.kind === 'snooze' && s.alertId === alertId);
      if (!found) throw new NotFoundError(`a snooze of alert ${alertId} that still holds`);
      return found;
    },

    async cancel(silence: Silence, actor: string): Promise<Silence> {
      if (!holdsAt(silence, clock()))
        throw new AlertStateError(
          `${silence.kind} ${silence.id} has already ${silence.cancelledAt === null ? 'expired' : 'been cancelled'}`,
        );
      return save(cancelled(silence, actor));
    },

    list: (filter: { kind?: SilenceKind; all?: boolean; tenants?: readonly string[]; limit: number }) =>
      store.listSilences({
        ...(filter.kind ? { kinds: [filter.kind] } : {}),
        ...(filter.all ? {} : { holdingAt: clock() }),
        ...(filter.tenants ? { tenants: filter.tenants } : {}),
        limit: filter.limit,
      }),
  };
}

export type Silences = ReturnType<typeof createSilences>;
