import { formatMeasure, formatMinutes } from '../format.js';
import type { AnomalyCondition, Rule } from '../rule-model.js';
import { summaryOf, type Evaluator, type EvaluatorContext } from './evaluator.js';
import { madScore, zScore } from './trend-math.js';
import { describeMeasure, directionText, subjectOf } from './trend-text.js';
import { bucketValue, trendEvaluator, type Judgement, type TrendSeries } from './trend.js';

/** Whether `score` reaches `threshold` (less `margin`) in `direction`. */
export function crossesScore(
  score: number,
  threshold: number,
  direction: AnomalyCondition['direction'],
  margin = 0,
): boolean {
  const bar = threshold - margin;
  if (direction === 'up') return score >= bar;
  if (direction === 'down') return score <= -bar;
  return Math.abs(score) >= bar;
}

/** `14-day`, `6-hour`, `90-minute`: a span as an adjective. */
const spanOf = (minutes: number) =>
  minutes % 1440 === 0
    ? `${minutes / 1440}-day`
    : minutes % 60 === 0
      ? `${minutes / 60}-hour`
      : `${minutes}-minute`;

/** `hourly`, `daily`, `15-minute`: the cadence of a bucket. */
const cadence = (minutes: number) =>
  minutes === 60 ? 'hourly' : minutes === 1440 ? 'daily' : spanOf(minutes);

/**
 * Each completed bucket's aggregate against the same aggregate of the `baselineBuckets` before it (buckets
 * with no value, e.g. a mean without events, are left out of the baseline; a sum or count without events is 0).
 */
export function anomalyEvaluator(rule: Rule, c: AnomalyCondition, context: EvaluatorContext): Evaluator {
  const bucketMs = c.bucketMinutes * 60_000;
  const baselineText = `${spanOf(c.baselineBuckets * c.bucketMinutes)} ${cadence(c.bucketMinutes)} baseline`;
  const score = c.method === 'mad' ? madScore : zScore;
  const centre = c.method === 'mad' ? 'median' : 'mean';
  const bucketText = formatMinutes(c.bucketMinutes);

  function judge(s: TrendSeries, bucket: number): Judgement {
    const latest = bucketValue(c, s, bucket);
    const baseline: number[] = [];
    for (let b = bucket - c.baselineBuckets; b < bucket; b++) {
      const value = bucketValue(c, s, b);
      if (value !== null) baseline.push(value);
    }
    const enough = latest !== null && baseline.length >= Math.max(2, c.minSample);
    const result = enough ? score(latest, baseline) : { score: 0, center: 0, spread: 0 };
    const text = () => {
      const value = formatMeasure(c.aggregate, c.property, latest);
      const center = formatMeasure(c.aggregate, c.property, result.center);
      const high = result.score >= 0;
      const how = Number.isFinite(result.score)
        ? `${Math.abs(result.score).toFixed(1)} standard deviations ${high ? 'above' : 'below'}`
        : `${high ? 'above' : 'below'} a baseline that never varied, so`;
      const start = bucket * bucketMs;
      return {
        title: `${rule.name} at ${subjectOf(s)} is unusually ${high ? 'high' : 'low'}: ${value} in ${bucketText}, usually ${center}`,
        summary: summaryOf(
          rule,
          start,
          `the ${describeMeasure(c)} was ${value} in ${bucketText}, ` +
            `${how} its ${baselineText} (${centre} ${center} over ${baseline.length} buckets); ` +
            `it alerts at ${c.threshold} standard deviations ${directionText(c.direction)}`,
        ),
      };
    };
    return {
      value: result.score,
      enough,
      crosses: (margin) => crossesScore(result.score, c.threshold, c.direction, margin),
      text,
    };
  }

  return trendEvaluator(rule, c, context, { bucketMs, span: c.baselineBuckets + 1, judge });
}
