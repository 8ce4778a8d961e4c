import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { defaultRules } from './default-rules.js';
import { AlertLifecycle } from './lifecycle.js';
import { createRuleEvaluation } from './rule-evaluation.js';

describe('rule state rebuild at install', () => {
  it('logs a failed rebuild at error level and lists the rule until an install rebuilds it', async () => {
    const logged: { level: number; rule?: string; msg: string }[] = [];
    const logger = pino(
      { level: 'error' },
      { write: (line: string) => logged.push(JSON.parse(line) as (typeof logged)[number]) },
    );
    let failing = true;
    const evaluation = createRuleEvaluation({
      source: {
        recentEvents: async () => {
          if (failing) throw new Error('the store is unreachable');
          return [];
        },
        latestByEntity: async () => [],
        trendBuckets: async () => null,
      },
      budgets: { of: () => undefined },
      lifecycle: new AlertLifecycle({ notifyMaxAgeMs: 60_000 }),
      apply: () => {},
      group: (run) => run(),
      clock: () => Date.UTC(2026, 2, 10),
      logger,
    });
    const anomaly = defaultRules.filter((r) => r.id === 'bounce-rate-anomaly');
    await evaluation.install(anomaly);
    expect(evaluation.rebuildFailures()).toEqual([
      { ruleId: 'bounce-rate-anomaly', error: 'the store is unreachable', at: Date.UTC(2026, 2, 10) },
    ]);
    expect(logged.map((l) => [l.level, l.rule, l.msg])).toEqual([
      [50, 'bounce-rate-anomaly', 'rebuilding alert rule state failed: the rule starts from empty state'],
    ]);
    failing = false;
    await evaluation.install(anomaly);
    expect(evaluation.rebuildFailures()).toEqual([]);
  });
});
