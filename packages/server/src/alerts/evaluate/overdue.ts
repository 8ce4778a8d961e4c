import type { EventStateSource } from '../../storage/alert-store.js';
import { formatMinutes, formatWhen, propertyLabel } from '../format.js';
import type { OverdueCondition, Rule } from '../rule-model.js';
import type { Alert } from '../types.js';
import {
  keyPartsOf,
  keyText,
  numberOrNull,
  readKeyParts,
  stateKey,
  summaryOf,
  titleOf,
  type Evaluator,
  type EvaluatorContext,
  type Outcome,
  writeKeyParts,
} from './evaluator.js';
import { anyHolds } from './predicates.js';

interface Tracked {
  tenantId: string;
  entity: string;
  keyParts: Record<string, string>;
  /** Newest event of the entity. */
  lastT: number;
  lastUuid: string;
  /** Its `unless` matched (e.g. status completed). */
  done: boolean;
  /** The newest date given (carried forward when later events omit it) and the event time that gave it. */
  dueAt: number | null;
  dueSetAt: number;
  label: unknown;
  amount: number | null;
}

/** A tenant's data clock: its newest event time and when that event arrived. */
interface Pace {
  newestT: number;
  receivedAt: number;
}

/**
 * Absence: an entity (decision_id) whose latest `date` (next_review_date) has passed, plus the
 * grace, with no event of it since. Fired by the timer when the date passes, cleared by the next event.
 */
export function overdueEvaluator(rule: Rule, c: OverdueCondition, context: EvaluatorContext): Evaluator {
  const grace = (c.graceMinutes ?? 0) * 60_000;
  const tracked = new Map<string, Tracked>();
  const paces = new Map<string, Pace>();

  /**
   * How far a tenant's data has got: now for a live stream, the replay's progress while a history is
   * loading (a demo, an import, a seed). Absence can only be judged up to there: mid-replay, the events
   * after a review date have not arrived yet, and the timer would flag every decision it reviews next.
   */
  const asOf = (tenantId: string, now: number) => {
    const pace = paces.get(tenantId);
    return pace ? Math.min(now, pace.newestT + (now - pace.receivedAt)) : now;
  };

  const isOverdue = (s: Tracked, now: number) =>
    s.dueAt !== null && !s.done && asOf(s.tenantId, now) > s.dueAt + grace && s.lastT < s.dueAt;

  function update(
    tenantId: string,
    entity: string,
    t: number,
    uuid: string,
    props: Readonly<Record<string, unknown>>,
  ) {
    const key = stateKey(tenantId, [entity]);
    let s = tracked.get(key);
    if (!s) {
      s = {
        tenantId,
        entity,
        keyParts: { ...keyPartsOf(rule, props), [c.entity]: entity },
        lastT: -Infinity,
        lastUuid: uuid,
        done: false,
        dueAt: null,
        dueSetAt: -Infinity,
        label: undefined,
        amount: null,
      };
      tracked.set(key, s);
    }
    if (t >= s.lastT) {
      s.lastT = t;
      s.lastUuid = uuid;
      s.done = Boolean(c.unless?.length) && anyHolds(c.unless, props);
      if (rule.label && props[rule.label] !== undefined) s.label = props[rule.label];
      if (rule.amount && props[rule.amount] !== undefined) s.amount = numberOrNull(props[rule.amount]);
    }
    const date = props[c.date];
    if (typeof date === 'string' && t >= s.dueSetAt) {
      const due = Date.parse(date);
      if (Number.isFinite(due)) {
        s.dueAt = due;
        s.dueSetAt = t;
      }
    }
    return s;
  }

  function fire(s: Tracked): Outcome {
    // The state object changes with later events: the text captures this moment's values.
    const { dueAt, label, amount, lastT, entity, keyParts } = s;
    const due = dueAt as number;
    return {
      verdict: 'fire',
      tenantId: s.tenantId,
      keyParts,
      text: (alertAmount) => ({
        title: titleOf(rule, s.tenantId, keyParts, { label, money: rule.amount ? alertAmount : null }),
        summary: summaryOf(
          rule,
          due + grace,
          `the ${propertyLabel(c.date)} of ${propertyLabel(c.entity.replace(/_id$/, ''))} ${entity} was ` +
            `${formatWhen(due)}${grace ? ` (plus ${formatMinutes(c.graceMinutes ?? 0)} grace)` : ''}, and nothing ` +
            `has been reported about it since ${formatWhen(lastT)}`,
        ),
      }),
      value: null,
      amount,
      eventUuid: s.lastUuid,
      eventAt: due,
    };
  }

  return {
    rule,
    onEvent(event, now) {
      const tenantId = event.tenantId;
      const entity = event.properties[c.entity];
      if (tenantId === null || entity === undefined || entity === null) return [];
      const pace = paces.get(tenantId);
      if (!pace) paces.set(tenantId, { newestT: event.timestamp, receivedAt: now });
      else if (event.timestamp >= pace.newestT)
        Object.assign(pace, { newestT: event.timestamp, receivedAt: now });
      const s = update(tenantId, keyText(entity), event.timestamp, event.uuid, event.properties);
      if (isOverdue(s, now)) return [fire(s)];
      return rule.resolve.mode === 'clear' && context.hasActive(rule.id, tenantId)
        ? [{ verdict: 'clear', tenantId, keyParts: s.keyParts, eventAt: event.timestamp }]
        : [];
    },

    onTick(now: number, active: readonly Alert[]) {
      const activeKeys = new Set(active.map((a) => stateKey(a.tenantId, [a.keyParts[c.entity] ?? ''])));
      const outcomes: Outcome[] = [];
      for (const [key, s] of tracked) {
        const overdue = isOverdue(s, now);
        if (overdue && !activeKeys.has(key)) outcomes.push(fire(s));
        else if (!overdue && activeKeys.has(key) && rule.resolve.mode === 'clear')
          outcomes.push({ verdict: 'clear', tenantId: s.tenantId, keyParts: s.keyParts });
      }
      return outcomes;
    },

    // Every entity's tracking; not the tenants' data clocks, which a rebuild does not have either.
    saveState(out) {
      out.word(tracked.size);
      for (const [key, s] of tracked) {
        out.string(key);
        out.string(s.tenantId);
        out.string(s.entity);
        writeKeyParts(out, s.keyParts);
        for (const n of [s.lastT, s.dueAt ?? NaN, s.dueSetAt, s.amount ?? NaN]) out.number(n);
        out.uuid(s.lastUuid);
        out.word(s.done ? 1 : 0);
        out.string(JSON.stringify({ label: s.label }));
      }
    },

    replay(event) {
      const entity = event.properties[c.entity];
      if (event.tenantId === null || entity === undefined || entity === null) return;
      update(event.tenantId, keyText(entity), event.timestamp, event.uuid, event.properties);
    },

    loadState(input) {
      const orNull = (n: number) => (Number.isNaN(n) ? null : n);
      for (let i = input.word(); i > 0; i--) {
        const key = input.string();
        const tenantId = input.string();
        const entity = input.string();
        const keyParts = readKeyParts(input);
        const [lastT, dueAt, dueSetAt, amount] = [
          input.number(),
          input.number(),
          input.number(),
          input.number(),
        ];
        const lastUuid = input.uuid();
        const done = input.word() === 1;
        const { label } = JSON.parse(input.string()) as { label?: unknown };
        tracked.set(key, {
          tenantId,
          entity,
          keyParts,
          lastT,
          lastUuid,
          done,
          dueAt: orNull(dueAt),
          dueSetAt,
          label,
          amount: orNull(amount),
        });
      }
    },

    async rebuild(source: EventStateSource) {
      const extra = [rule.label, rule.amount, ...(c.unless ?? []).map((p) => p.property), ...rule.key];
      const columns = [...new Set(extra.filter((x): x is string => typeof x === 'string'))];
      for (const event of rule.events) {
        for (const row of await source.latestByEntity({ event, entity: c.entity, columns }))
          update(row.tenantId, row.entity, row.timestamp, row.uuid, row.values);
        // The newest date given, which a later event without one carries forward.
        for (const row of await source.latestByEntity({
          event,
          entity: c.entity,
          columns: [c.date],
          nonNull: c.date,
        }))
          update(row.tenantId, row.entity, row.timestamp, row.uuid, row.values);
      }
    },
  };
}
