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
const efficiency = rule('efficiency-low-high'); // clear mode, 15 min, hysteresis 5
const loss = rule('revenue-loss-critical'); // quiet mode, 24 h
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

  it('auto-resolves one-off facts after a quiet period, and never manual-mode alerts', () => {
    const l = lifecycle();
    l.apply(loss, fire({ keyParts: { event_type: 'churn' }, amount: 12_000 }), T0);
    l.apply(loss, fire({ keyParts: { event_type: 'churn' }, amount: 20_000 }), T0 + 10 * minute);
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
