import { describe, expect, it } from 'vitest';
import {
  businessPerformanceScore,
  countsToward,
  monthlyRevenueProtection,
  negativeRevenueImpact,
  netRevenueImpact,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  resourceOf,
  weightedMean,
} from '../src/measures.js';

describe('business measures', () => {
  it('splits revenue by impact_type and savings by optimization_type; rejected savings count nowhere', () => {
    expect(countsToward(positiveRevenueImpact, { impact_type: 'positive' })).toBe(true);
    expect(countsToward(negativeRevenueImpact, { impact_type: 'positive' })).toBe(false);
    expect(countsToward(realizedSavings, { optimization_type: 'implemented' })).toBe(true);
    expect(countsToward(projectedSavings, { optimization_type: 'identified' })).toBe(true);
    for (const m of [realizedSavings, projectedSavings])
      expect(countsToward(m, { optimization_type: 'rejected' })).toBe(false);
  });

  it('nets revenue and scores it from −100 to 100, 0 without any', () => {
    expect(netRevenueImpact(1000, 250)).toBe(750);
    expect(businessPerformanceScore(1000, 250)).toBe(60);
    expect(businessPerformanceScore(0, 400)).toBe(-100);
    expect(businessPerformanceScore(0, 0)).toBe(0);
  });

  it('scales positive impact to 30 days and weighs rates by their weight (none without weight)', () => {
    expect(monthlyRevenueProtection(100, 10 * 86_400_000)).toBe(300);
    expect(weightedMean(0.1 * 1000 + 0.02 * 3000, 4000)).toBeCloseTo(0.04, 12);
    expect(weightedMean(0, 0)).toBeNull();
  });

  it('names a resource by its resource_id, else its resource_type', () => {
    expect(resourceOf({ resource_id: 'vm-1', resource_type: 'vps_instance' })).toBe('vm-1');
    expect(resourceOf({ resource_type: 'database' })).toBe('database');
    expect(resourceOf({ resource_id: 7 })).toBeNull();
  });
});
