import { describe, expect, it } from 'vitest';
import { defaultRules } from './default-rules.js';
import { formatUsd } from './format.js';
import type { Outcome } from './evaluate/index.js';
import { AlertLifecycle, AlertStateError, type Change } from './lifecycle.js';
import type { Rule } from './rule-model.js';

const minute = 60_000;
const T0 = Date.parse('2026-03-10T12:00:00Z');
const rule = (id: string): Rule => {
  const found = defaultRules.find((r) => r.id === id);
  if (!found) throw new Error(id);
  return found;
};
// Resolve timing fixed here (the defaults' are tuned separately): clear mode 15 min, quiet mode 24 h.
const efficiency: Rule = {
  ...rule('efficiency-low-high'),
  resolve: { mode: 'clear', afterMinutes: 15, hysteresis: 5 },
};
const loss: Rule = { ...rule('revenue-loss-critical'), resolve: { mode: 'quiet', afterMinutes: 24 * 60 } };
const security = rule('security-customer-data-critical'); // manual

const fire = (extra: Partial<Outcome> = {}): Outcome => ({
  verdict: 'fire',
  tenantId: 'acme',
  keyParts: { efficiency_metric: 'delivery' },
  text: () => ({
    title: 'Efficiency score below 70 at acme (delivery)',
    summary: 'efficiency score 65 < 70',
  }),
  value: 65,
  amount: 100,
  eventUuid: `e-${Math.random()}`,
  eventAt: T0,
  ...extra,
});
const clear: Outcome = { verdict: 'clear', tenantId: 'acme', keyParts: { efficiency_metric: 'delivery' } };
const hold: Outcome = { verdict: 'hold', tenantId: 'acme', keyParts: { efficiency_metric: 'delivery' } };

let ids = 0;
const lifecycle = () => new AlertLifecycle({ notifyMaxAgeMs: 24 * 60 * minute, newId: () => `id-${++ids}` });
const kinds = (changes: (Change | null)[]) =>
  changes.map((c) => (c ? (c.transition?.kind ?? 'update') : null));

describe('alert lifecycle', () => {
  it('opens once, then counts repeats within the cooldown without notifying', () => {
    const l = lifecycle();
    const opened = l.apply(efficiency, fire(), T0);
    expect(opened?.transition?.kind).toBe('opened');
    expect(opened?.alert).toMatchObject({ state: 'open', count: 1, firstSeen: T0, lastSeen: T0 });
    const again = l.apply(efficiency, fire({ value: 60, eventUuid: 'e-2' }), T0 + 30 * minute);
    expect(again?.transition).toBeNull();
    expect(again?.alert).toMatchObject({
      id: opened?.alert.id,
      count: 2,
      lastSeen: T0 + 30 * minute,
      value: 60,
    });
    expect(again?.alert.eventUuids.at(-1)).toBe('e-2');
    // Other keys and tenants are other alerts.
    expect(
      l.apply(efficiency, fire({ keyParts: { efficiency_metric: 'support' } }), T0)?.transition?.kind,
    ).toBe('opened');
    expect(l.apply(efficiency, fire({ tenantId: 'globex' }), T0)?.transition?.kind).toBe('opened');
  });

  it('keeps the money in the title equal to the alert amount as one-off amounts add up', () => {
    const l = lifecycle();
    const text = (amount: number | null) => ({
      title: `Loss of ${formatUsd(amount ?? 0)} at acme`,
      summary: '',
    });
    l.apply(loss, fire({ keyParts: { event_type: 'churn' }, amount: 12_500, text }), T0);
    const again = l.apply(
      loss,
      fire({ keyParts: { event_type: 'churn' }, amount: 20_000, text }),
      T0 + minute,
    );
    expect(again?.transition).toBeNull(); // a repeat within the cooldown
    // Repeats re-render the title once per pass (a group commit), not per event.
    expect(again?.alert.title).toBe('Loss of $12,500 at acme');
    l.settleTitles();
    expect(again?.alert).toMatchObject({ amount: 32_500, title: 'Loss of $32,500 at acme' });
    // A copy made from the alert (a resolve, an ack) never carries a stale title.
    l.apply(loss, fire({ keyParts: { event_type: 'churn' }, amount: 1_000, text }), T0 + 2 * minute);
    const acked = l.acknowledge(again?.alert.id ?? '', 'ops', null, T0 + 3 * minute);
    expect(acked?.alert).toMatchObject({ amount: 33_500, title: 'Loss of $33,500 at acme' });
  });

  it('keeps the newest 20 triggering event uuids', () => {
    const l = lifecycle();
    for (let i = 0; i < 30; i++) l.apply(efficiency, fire({ eventUuid: `e-${i}` }), T0 + i);
    const [alert] = l.activeAlerts();
    expect(alert?.count).toBe(30);
    expect(alert?.eventUuids).toHaveLength(20);
    expect(alert?.eventUuids[0]).toBe('e-10');
  });

  it('keeps a state that holds day after day one acknowledged alert; re-announces it after it cleared', () => {
    const l = lifecycle();
    const day = 24 * 60 * minute;
    const low = (at: number) => fire({ eventAt: at });
    const opened = l.apply(efficiency, low(T0), T0);
    l.acknowledge(opened?.alert.id ?? '', 'coo', 'on it', T0 + minute);
    // Read daily and still under the line: the same episode, far past the cooldown.
    for (const d of [1, 2, 3]) {
      const again = l.apply(efficiency, low(T0 + d * day), T0 + d * day);
      expect(again?.transition).toBeNull();
      expect(again?.alert).toMatchObject({ id: opened?.alert.id, state: 'acknowledged', count: d + 1 });
    }
    // Clear for 10 minutes (under the cooldown, under the 15-minute resolve): still the same episode.
    l.apply(efficiency, { ...clear, eventAt: T0 + 3 * day + minute }, T0 + 3 * day + minute);
    expect(
      l.apply(efficiency, low(T0 + 3 * day + 11 * minute), T0 + 3 * day + 11 * minute)?.transition,
    ).toBeNull();
    // Clear for longer than the cooldown (here the rule resolves later than that): announced again.
    const slow: Rule = { ...efficiency, resolve: { mode: 'clear', afterMinutes: 3 * 60, hysteresis: 5 } };
    l.apply(slow, { ...clear, eventAt: T0 + 4 * day }, T0 + 4 * day);
    const back = l.apply(slow, low(T0 + 4 * day + 61 * minute), T0 + 4 * day + 61 * minute);
    expect(back?.transition?.kind).toBe('refired');
    expect(back?.alert).toMatchObject({ id: opened?.alert.id, state: 'open', acknowledgedBy: null });
  });

  it('notifies again (refired) when it fires after a quiet spell longer than the cooldown, even if acknowledged', () => {
    const l = lifecycle();
    const opened = l.apply(security, fire({ keyParts: { incident_type: 'leak' } }), T0);
    l.acknowledge(opened?.alert.id ?? '', 'ceo', 'on it', T0 + minute);
    const within = l.apply(security, fire({ keyParts: { incident_type: 'leak' } }), T0 + 59 * minute);
    expect(within?.transition).toBeNull();
    expect(within?.alert.state).toBe('acknowledged');
    const after = l.apply(
      security,
      fire({ keyParts: { incident_type: 'leak' } }),
      T0 + 59 * minute + 61 * minute,
    );
    expect(after?.transition?.kind).toBe('refired');
    expect(after?.alert).toMatchObject({
      state: 'open',
      acknowledgedBy: null,
      count: 3,
      id: opened?.alert.id,
    });
  });

  it('auto-resolves with hysteresis: clear past the margin for afterMinutes, a hold or a fire restarts the clock', () => {
    const l = lifecycle();
    l.apply(efficiency, fire(), T0);
    expect(kinds([l.apply(efficiency, hold, T0 + minute)])).toEqual([null]); // 72: inside the 5-point band
    expect(l.tick(new Map([[efficiency.id, efficiency]]), T0 + 60 * minute)).toHaveLength(0);
    l.apply(efficiency, clear, T0 + 2 * minute); // 76: clear from now
    l.apply(efficiency, fire(), T0 + 10 * minute); // flaps back under 70: still one alert, the clock restarts
    l.apply(efficiency, clear, T0 + 11 * minute);
    const rules = new Map([[efficiency.id, efficiency]]);
    expect(l.tick(rules, T0 + 25 * minute)).toHaveLength(0); // 14 min clear
    const [resolved] = l.tick(rules, T0 + 26 * minute); // 15 min clear
    expect(resolved?.transition?.kind).toBe('resolved');
    expect(resolved?.alert).toMatchObject({
      state: 'resolved',
      resolution: 'auto',
      resolvedBy: 'pulse',
      count: 2,
    });
    expect(resolved?.alert.resolveComment).toContain('15 min');
    // A later fire is a new alert.
    const next = l.apply(efficiency, fire(), T0 + 27 * minute);
    expect(next?.transition?.kind).toBe('opened');
    expect(next?.alert.id).not.toBe(resolved?.alert.id);
  });

  it('times auto-resolve on the readings’ own clock, so a replayed history resolves as it happened', () => {
    const l = lifecycle();
    const day = 24 * 60 * minute;
    const past = T0 - 30 * day; // a backfill: a month-old history replayed within a few wall-clock ms
    const at = (offset: number, o: Outcome): Outcome => ({ ...o, eventAt: past + offset });
    const opened = l.apply(efficiency, at(0, fire()), T0);
    l.apply(efficiency, at(minute, clear), T0);
    expect(l.apply(efficiency, at(15 * minute, clear), T0 + 1)).toBeNull(); // 14 min clear in the data
    const resolved = l.apply(efficiency, at(16 * minute, clear), T0 + 2); // 15 min
    expect(resolved?.transition?.kind).toBe('resolved');
    expect(resolved?.alert.id).toBe(opened?.alert.id);
    // A flap inside the clear period stays the same alert, wherever the replay's wall clock is.
    const again = l.apply(efficiency, at(day, fire()), T0 + 3);
    l.apply(efficiency, at(day + minute, clear), T0 + 3);
    expect(l.apply(efficiency, at(day + 5 * minute, fire()), T0 + 4)?.alert.id).toBe(again?.alert.id);
    // A one-off fact quiet for a month in the data resolves at the next tick; yesterday's does not.
    l.apply(loss, fire({ keyParts: { event_type: 'churn' }, eventAt: past }), T0);
    l.apply(loss, fire({ keyParts: { event_type: 'renewal' }, eventAt: T0 - 60 * minute }), T0);
    const rules = new Map([[loss.id, loss]]);
    expect(l.tick(rules, T0 + 5).map((c) => c.alert.keyParts)).toEqual([{ event_type: 'churn' }]);
  });

  it('a one-off fact that recurs after a quiet period in the data is a new alert, the old one resolved', () => {
    const l = lifecycle();
    const day = 24 * 60 * minute;
    const past = T0 - 60 * day; // two episodes of a history replayed within a few wall-clock ms
    const churn = (at: number): Outcome => fire({ keyParts: { event_type: 'churn' }, eventAt: at });
    const first = l.apply(loss, churn(past), T0);
    expect(l.endQuiet(loss, churn(past + 23 * 60 * minute), T0)).toBeNull(); // inside the quiet period
    expect(l.apply(loss, churn(past + 23 * 60 * minute), T0)?.alert.id).toBe(first?.alert.id);
    const ended = l.endQuiet(loss, churn(past + 30 * day), T0 + 1);
    expect(ended?.alert).toMatchObject({ id: first?.alert.id, state: 'resolved', resolution: 'auto' });
    const second = l.apply(loss, churn(past + 30 * day), T0 + 1);
    expect(second?.transition?.kind).toBe('opened');
    expect(second?.alert.id).not.toBe(first?.alert.id);
    expect(l.activeAlerts()).toHaveLength(1);
  });

  it('auto-resolves one-off facts after a quiet period, and never manual-mode alerts', () => {
    const l = lifecycle();
    l.apply(loss, fire({ keyParts: { event_type: 'churn' }, amount: 12_000 }), T0);
    l.apply(
      loss,
      fire({ keyParts: { event_type: 'churn' }, amount: 20_000, eventAt: T0 + 10 * minute }),
      T0 + 10 * minute,
    );
    expect(l.activeAlerts()[0]?.amount).toBe(32_000); // occurrences add up
    l.apply(security, fire({ keyParts: { incident_type: 'leak' } }), T0);
    const rules = new Map([loss, security].map((r) => [r.id, r]));
    expect(l.tick(rules, T0 + 10 * minute + 24 * 60 * minute - 1)).toHaveLength(0);
    const resolved = l.tick(rules, T0 + 10 * minute + 24 * 60 * minute);
    expect(resolved.map((c) => c.alert.ruleId)).toEqual([loss.id]);
    expect(l.tick(rules, T0 + 365 * 24 * 60 * minute)).toHaveLength(0);
    expect(l.activeAlerts().map((a) => a.ruleId)).toEqual([security.id]);
  });

  it('acknowledges (who, comment) and resolves by hand; refuses what the state does not allow', () => {
    const l = lifecycle();
    const id = l.apply(security, fire({ keyParts: { incident_type: 'leak' } }), T0)?.alert.id ?? '';
    const acked = l.acknowledge(id, 'cfo@acme', 'looking', T0 + minute);
    expect(acked?.alert).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'cfo@acme',
      ackComment: 'looking',
    });
    expect(acked?.transition).toMatchObject({ kind: 'acknowledged', actor: 'cfo@acme', comment: 'looking' });
    expect(() => l.acknowledge(id, 'cfo@acme', null, T0 + 2 * minute)).toThrow(AlertStateError);
    const resolved = l.resolve(id, 'ciso', 'rotated keys', T0 + 3 * minute);
    expect(resolved?.alert).toMatchObject({
      state: 'resolved',
      resolution: 'manual',
      resolveComment: 'rotated keys',
    });
    expect(l.resolve(id, 'ciso', null, T0 + 4 * minute)).toBeNull(); // no longer active: the engine answers 409/404
    expect(l.hasActive(security.id, 'acme')).toBe(false);
  });

  it('caps open alerts per rule and tenant (storm guard) and counts what it drops', () => {
    const l = new AlertLifecycle({ notifyMaxAgeMs: 60 * minute, maxActivePerRuleTenant: 3 });
    for (let i = 0; i < 5; i++) l.apply(efficiency, fire({ keyParts: { efficiency_metric: `m${i}` } }), T0);
    expect(l.activeAlerts()).toHaveLength(3);
    expect(l.suppressed.get(`${efficiency.id}|acme`)).toBe(2);
    expect(l.apply(efficiency, fire({ keyParts: { efficiency_metric: 'm0' } }), T0)?.transition).toBeNull(); // known keys still count
    expect(l.apply(efficiency, fire({ tenantId: 'globex' }), T0)?.transition?.kind).toBe('opened');
  });

  it('marks transitions from old triggers as backfill (recorded, not pushed)', () => {
    const l = lifecycle();
    const old = l.apply(loss, fire({ keyParts: { event_type: 'x' }, eventAt: T0 - 25 * 60 * minute }), T0);
    expect(old?.transition?.backfill).toBe(true);
    const fresh = l.apply(loss, fire({ keyParts: { event_type: 'y' }, eventAt: T0 - minute }), T0);
    expect(fresh?.transition?.backfill).toBe(false);
  });
});
