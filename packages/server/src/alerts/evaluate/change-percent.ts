import { formatMeasure, formatMinutes, formatWhen } from '../format.js';
import type { ChangePercentCondition, Rule } from '../rule-model.js';
import { summaryOf, type Evaluator, type EvaluatorContext } from './evaluator.js';
import { describeMeasure, directionText, subjectOf } from './trend-text.js';
import { percentChange } from './trend-math.js';
import { aggregateOf, trendEvaluator, type Judgement, type TrendSeries } from './trend.js';

/** The window moves in steps of one 24th of its length (hourly for 24 h): what the state keeps per bucket. */
export const CHANGE_STEPS = 24;

/** Whether a change of `change` % crosses `percent` in `direction` (`margin` % toward firing). */
export function crossesPercent(
  change: number,
  percent: number,
  direction: ChangePercentCondition['direction'],
  margin = 0,
): boolean {
  const bar = percent - margin;
  if (direction === 'up') return change >= bar;
  if (direction === 'down') return change <= -bar;
  return Math.abs(change) >= bar;
}

/**
 * The aggregate over the window ending at each completed step vs the window before it (e.g. net revenue
 * impact in the 24 h to 14:00 vs the 24 h before), both with `minSample`.
 */
export function changePercentEvaluator(
  rule: Rule,
  c: ChangePercentCondition,
  context: EvaluatorContext,
): Evaluator {
  const bucketMs = (c.minutes * 60_000) / CHANGE_STEPS;
  const window = formatMinutes(c.minutes);

  function judge(s: TrendSeries, bucket: number): Judgement {
    const current = aggregateOf(c, s, bucket - CHANGE_STEPS + 1, bucket);
    const previous = aggregateOf(c, s, bucket - 2 * CHANGE_STEPS + 1, bucket - CHANGE_STEPS);
    const enough =
      current.value !== null &&
      previous.value !== null &&
      current.sample >= c.minSample &&
      previous.sample >= c.minSample;
    const change = enough ? percentChange(previous.value as number, current.value as number) : 0;
    const text = () => {
      const before = formatMeasure(c.aggregate, c.property, previous.value);
      const now = formatMeasure(c.aggregate, c.property, current.value);
      // From nothing (0 before) a change has no percentage.
      const moved = `${change >= 0 ? 'rose' : 'fell'}${Number.isFinite(change) ? ` ${Math.abs(Math.round(change))} %` : ''}`;
      const end = (bucket + 1) * bucketMs;
      const start = end - c.minutes * 60_000;
      return {
        title: `${rule.name} at ${subjectOf(s)} ${moved} in the last ${window}: ${now}, from ${before} the ${window} before`,
        summary: summaryOf(
          rule,
          start,
          `the ${describeMeasure(c)} was ${now} in the ${window} to ${formatWhen(end)} ` +
            `(${current.events} events), against ${before} in the ${window} before ` +
            `(${previous.events} events); it alerts at a change of ${c.percent} % ${directionText(c.direction)}`,
        ),
      };
    };
    return {
      value: change,
      enough,
      crosses: (margin) => crossesPercent(change, c.percent, c.direction, margin),
      text,
    };
  }

  return trendEvaluator(rule, c, context, { bucketMs, span: 2 * CHANGE_STEPS, judge });
}
