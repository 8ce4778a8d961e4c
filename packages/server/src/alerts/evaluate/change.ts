import type { EventStateSource } from '../../storage/alert-store.js';
import type { StoredEvent } from '../../storage/event-store.js';
import { capitalize, formatValue, formatWhen, propertyLabel } from '../format.js';
import type { ChangeCondition, Rule } from '../rule-model.js';
import {
  keyPartsOf,
  keyText,
  numberOrNull,
  stateKey,
  summaryOf,
  type Evaluator,
  type EvaluatorContext,
} from './evaluator.js';
import { allHold } from './predicates.js';

interface Reading {
  t: number;
  x: number;
}

/** Readings kept per entity: enough to place a late event between its neighbours. */
const HISTORY = 8;

/**
 * A numeric property of one entity (e.g. utilization_percentage of a resource_id) moving by more than
 * `points` from the entity's previous reading. A late event is compared with the readings around it.
 */
export function changeEvaluator(rule: Rule, c: ChangeCondition, context: EvaluatorContext): Evaluator {
  const history = new Map<string, Reading[]>();

  function record(key: string, reading: Reading): { before?: Reading; after?: Reading } | null {
    let list = history.get(key);
    if (!list) history.set(key, (list = []));
    let at = list.length;
    while (at > 0 && (list[at - 1] as Reading).t > reading.t) at--;
    if (at > 0 && (list[at - 1] as Reading).t === reading.t && (list[at - 1] as Reading).x === reading.x)
      return null; // the same reading again (a replay)
    if (at === 0 && list.length >= HISTORY) return null; // older than anything kept: too late to place
    list.splice(at, 0, reading);
    if (list.length > HISTORY) list.shift();
    const i = list.indexOf(reading);
    return {
      ...(i > 0 ? { before: list[i - 1] } : {}),
      ...(i < list.length - 1 ? { after: list[i + 1] } : {}),
    };
  }

  /** The event's reading, when the rule reads one from it. */
  function readingOf(event: StoredEvent): { tenantId: string; entity: unknown; x: number } | null {
    const tenantId = event.tenantId;
    const x = event.properties[c.property];
    const entity = event.properties[c.entity];
    if (tenantId === null || typeof x !== 'number' || entity === undefined || entity === null) return null;
    if (c.where && !allHold(c.where, event.properties)) return null;
    return { tenantId, entity, x };
  }

  return {
    rule,
    onEvent(event) {
      const read = readingOf(event);
      if (!read) return [];
      const { tenantId, entity, x } = read;
      const keyParts = { ...keyPartsOf(rule, event.properties), [c.entity]: keyText(entity) };
      const around = record(stateKey(tenantId, [keyText(entity)]), { t: event.timestamp, x });
      if (!around) return [];
      const reading = { t: event.timestamp, x };
      // The largest move this reading makes: from its predecessor, or (late event) to its successor.
      const moves = [
        around.before ? { from: around.before, to: reading } : null,
        around.after ? { from: reading, to: around.after } : null,
      ].filter((m) => m !== null);
      const move = moves.sort((a, b) => Math.abs(b.to.x - b.from.x) - Math.abs(a.to.x - a.from.x))[0];
      if (move && Math.abs(move.to.x - move.from.x) > c.points) {
        const delta = move.to.x - move.from.x;
        const amount = rule.amount ? numberOrNull(event.properties[rule.amount]) : null;
        return [
          {
            verdict: 'fire',
            tenantId,
            keyParts,
            text: () => ({
              title:
                `${capitalize(propertyLabel(c.property))} of ${keyText(entity)} at ${tenantId} ` +
                `${delta > 0 ? 'rose' : 'fell'} from ${formatValue(c.property, move.from.x)} to ${formatValue(c.property, move.to.x)}`,
              summary: summaryOf(
                rule,
                move.to.t,
                `${propertyLabel(c.property)} of ${propertyLabel(c.entity.replace(/_id$/, ''))} ${keyText(entity)} ` +
                  `moved from ${formatValue(c.property, move.from.x)} (${formatWhen(move.from.t)}) to ` +
                  `${formatValue(c.property, move.to.x)}: ${delta > 0 ? '+' : ''}${formatValue(c.property, delta)}, ` +
                  `more than ${c.points} points`,
              ),
            }),
            value: delta,
            amount,
            eventUuid: event.uuid,
            eventAt: event.timestamp,
          },
        ];
      }
      if (rule.resolve.mode !== 'clear' || !context.hasActive(rule.id, tenantId)) return [];
      return [{ verdict: 'clear', tenantId, keyParts, eventAt: event.timestamp }];
    },

    // The newest reading of each entity: what a rebuild reads from the store.
    saveState(out) {
      out.word(history.size);
      for (const [key, list] of history) {
        const newest = list[list.length - 1] as Reading;
        out.string(key);
        out.number(newest.t);
        out.number(newest.x);
      }
    },

    replay(event) {
      const reading = readingOf(event);
      if (reading)
        record(stateKey(reading.tenantId, [keyText(reading.entity)]), { t: event.timestamp, x: reading.x });
    },

    loadState(input) {
      for (let i = input.word(); i > 0; i--)
        history.set(input.string(), [{ t: input.number(), x: input.number() }]);
    },

    async rebuild(source: EventStateSource) {
      for (const event of rule.events) {
        const rows = await source.latestByEntity({
          event,
          entity: c.entity,
          columns: [c.property],
          nonNull: c.property,
        });
        for (const row of rows) {
          const x = row.values[c.property];
          if (typeof x === 'number') record(stateKey(row.tenantId, [row.entity]), { t: row.timestamp, x });
        }
      }
    },
  };
}
