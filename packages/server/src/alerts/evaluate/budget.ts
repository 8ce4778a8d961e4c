import type { EventStateSource } from '../../storage/alert-store.js';
import { formatUsd, monthOf, propertyLabel } from '../format.js';
import type { BudgetCondition, Rule } from '../rule-model.js';
import type { Alert } from '../types.js';
import {
  keyPartsOf,
  keyText,
  summaryOf,
  type Evaluator,
  type EvaluatorContext,
  type Outcome,
} from './evaluator.js';
import { compareNumber } from './predicates.js';
import { tolerant } from './window.js';

interface Entry {
  t: number;
  cost: number;
  group: string;
  uuid: string;
}

/** Months of history kept in memory for restating late events. */
const MONTHS_KEPT = 13;

/**
 * Month-to-date cost run-rate: Σ of the latest `cost` (total_cost, a monthly run-rate) of each
 * entity (resource_id) in the UTC month, per tenant, against the tenant's budget and its per-group
 * (resource_type) budgets. State: tenant → month → entity → latest cost, rebuilt from the store at start.
 */
export function budgetEvaluator(rule: Rule, c: BudgetCondition, context: EvaluatorContext): Evaluator {
  const margin = rule.resolve.hysteresis ?? 0;
  const months = new Map<string, Map<string, Map<string, Entry>>>();
  const groupName = c.group ?? 'group';
  /** `resource` for resource_id. */
  const entityWord = propertyLabel(c.entity.replace(/_id$/, ''));

  function entriesOf(tenantId: string, month: string): Map<string, Entry> {
    let byMonth = months.get(tenantId);
    if (!byMonth) months.set(tenantId, (byMonth = new Map<string, Map<string, Entry>>()));
    let entries = byMonth.get(month);
    if (!entries) {
      byMonth.set(month, (entries = new Map<string, Entry>()));
      if (byMonth.size > MONTHS_KEPT) byMonth.delete([...byMonth.keys()].sort()[0] as string);
    }
    return entries;
  }

  /** One budget line: the tenant total (group undefined) or one group. */
  function evaluate(
    tenantId: string,
    month: string,
    entries: Map<string, Entry>,
    baseParts: Record<string, string>,
    group: string | undefined,
    eventUuid: string | undefined,
    eventAt: number,
  ): Outcome {
    const keyParts =
      group === undefined ? { ...baseParts, month } : { ...baseParts, month, [groupName]: group };
    const budgets = context.budgets.of(tenantId);
    const budget = group === undefined ? budgets?.monthly : budgets?.byGroup.get(group);
    if (budget === undefined || budget === null || budget <= 0)
      return { verdict: 'clear', tenantId, keyParts, eventAt };
    let runRate = 0;
    let resources = 0;
    for (const entry of entries.values())
      if (group === undefined || entry.group === group) {
        runRate += entry.cost;
        resources++;
      }
    const percent = (runRate / budget) * 100;
    if (compareNumber(percent, '>', tolerant('>', c.percent))) {
      const share = `${Number(percent.toFixed(1))} %`;
      const subject = group === undefined ? '' : ` (${propertyLabel(groupName)} ${group})`;
      return {
        verdict: 'fire',
        tenantId,
        keyParts,
        text: (over) => ({
          title:
            `${rule.name} at ${tenantId}${subject}: ${formatUsd(over ?? runRate - budget)} over the ` +
            `${formatUsd(budget)} budget`,
          summary: summaryOf(
            rule,
            eventAt,
            `the monthly cost run-rate for ${month} is ${formatUsd(runRate)} across ${resources} ` +
              `${entityWord}${resources === 1 ? '' : 's'}, ${share} of the ${formatUsd(budget)} budget ` +
              `(limit ${c.percent} %)`,
          ),
        }),
        value: percent,
        amount: runRate - budget,
        ...(eventUuid ? { eventUuid } : {}),
        eventAt,
      };
    }
    return {
      verdict: compareNumber(percent, '>', c.percent, margin) ? 'hold' : 'clear',
      tenantId,
      keyParts,
      eventAt,
    };
  }

  function evaluateMonth(
    tenantId: string,
    month: string,
    groups: Iterable<string>,
    uuid?: string,
    at?: number,
  ) {
    const entries = months.get(tenantId)?.get(month);
    if (!entries) return [];
    const eventAt = at ?? Date.parse(`${month}-01T00:00:00Z`);
    const base = keyPartsOf(rule, {});
    const outcomes = [evaluate(tenantId, month, entries, base, undefined, uuid, eventAt)];
    for (const group of groups) outcomes.push(evaluate(tenantId, month, entries, base, group, uuid, eventAt));
    return outcomes;
  }

  function remember(tenantId: string, t: number, props: Readonly<Record<string, unknown>>, uuid: string) {
    const cost = props[c.cost];
    const entity = props[c.entity];
    if (typeof cost !== 'number' || entity === undefined || entity === null) return null;
    const month = monthOf(t);
    const entries = entriesOf(tenantId, month);
    const key = keyText(entity);
    const known = entries.get(key);
    const group = c.group ? keyText(props[c.group]) : '';
    if (!known || t >= known.t) entries.set(key, { t, cost, group, uuid });
    return { month, group };
  }

  return {
    rule,
    onEvent(event) {
      const tenantId = event.tenantId;
      if (tenantId === null) return [];
      const touched = remember(tenantId, event.timestamp, event.properties, event.uuid);
      if (!touched) return [];
      const outcomes = evaluateMonth(
        tenantId,
        touched.month,
        c.group ? [touched.group] : [],
        event.uuid,
        event.timestamp,
      );
      // Clears only matter to open alerts: skip them for tenants without one.
      return context.hasActive(rule.id, tenantId) ? outcomes : outcomes.filter((o) => o.verdict === 'fire');
    },

    onBudgetChange(tenantId) {
      const byMonth = months.get(tenantId);
      if (!byMonth?.size) return [];
      const month = [...byMonth.keys()].sort().at(-1) as string;
      const groups = new Set([...(byMonth.get(month)?.values() ?? [])].map((e) => e.group));
      return evaluateMonth(tenantId, month, c.group ? groups : []);
    },

    onTick(now: number, active: readonly Alert[]) {
      // A month that has ended closes its run-rate alerts.
      const thisMonth = monthOf(now);
      return active
        .filter((a) => (a.keyParts.month ?? thisMonth) < thisMonth)
        .map((a): Outcome => ({ verdict: 'clear', tenantId: a.tenantId, keyParts: a.keyParts }));
    },

    saveState(out) {
      out.word(months.size);
      for (const [tenantId, byMonth] of months) {
        out.string(tenantId);
        out.word(byMonth.size);
        for (const [month, entries] of byMonth) {
          out.string(month);
          out.word(entries.size);
          for (const [entity, e] of entries) {
            out.string(entity);
            out.number(e.t);
            out.number(e.cost);
            out.string(e.group);
            out.uuid(e.uuid);
          }
        }
      }
    },

    replay(event) {
      if (event.tenantId !== null) remember(event.tenantId, event.timestamp, event.properties, event.uuid);
    },

    loadState(input) {
      for (let t = input.word(); t > 0; t--) {
        const byMonth = new Map<string, Map<string, Entry>>();
        months.set(input.string(), byMonth);
        for (let m = input.word(); m > 0; m--) {
          const entries = new Map<string, Entry>();
          byMonth.set(input.string(), entries);
          for (let e = input.word(); e > 0; e--) {
            const entity = input.string();
            entries.set(entity, {
              t: input.number(),
              cost: input.number(),
              group: input.string(),
              uuid: input.uuid(),
            });
          }
        }
      }
    },

    async rebuild(source: EventStateSource, now: number) {
      const since = Date.parse(`${monthOf(now - (MONTHS_KEPT - 1) * 31 * 86_400_000)}-01T00:00:00Z`);
      for (const event of rule.events) {
        const rows = await source.latestByEntity({
          event,
          entity: c.entity,
          columns: c.group ? [c.cost, c.group] : [c.cost],
          nonNull: c.cost,
          byMonth: true,
          since,
        });
        for (const row of rows)
          remember(row.tenantId, row.timestamp, { ...row.values, [c.entity]: row.entity }, row.uuid);
      }
    },
  };
}
