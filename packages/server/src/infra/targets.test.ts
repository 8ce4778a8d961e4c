import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';

const load = (targets: unknown) =>
  loadConfig({ env: { PULSE_SCRAPE_TARGETS: JSON.stringify(targets) }, file: null });

const problemsOf = (targets: unknown): string => {
  try {
    load(targets);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('the configuration was accepted');
};

describe('PULSE_SCRAPE_TARGETS', () => {
  it('reads targets with documented defaults and names them without credentials', () => {
    const [target] = load([
      {
        url: 'http://prom:pa%3Ass@10.0.0.5:9100/metrics',
        tenant: 'acme',
        resource_id: 'web-1',
        resource_type: 'vps_instance',
        monthly_cost: 24,
      },
    ]).scrapeTargets;
    expect(target).toEqual({
      url: 'http://prom:pa%3Ass@10.0.0.5:9100/metrics',
      id: 'http://10.0.0.5:9100/metrics',
      tenant: 'acme',
      resourceId: 'web-1',
      resourceType: 'vps_instance',
      monthlyCost: 24,
      intervalSeconds: 60,
      thresholds: { overAbove: 85, underBelow: 25 },
    });
  });

  it('names every bad entry and field at once', () => {
    const problems = problemsOf([
      { url: 'ftp://x/metrics', tenant: 'a', resource_id: 'r', resource_type: 't' },
      { url: 'http://x/metrics', tenant: '', resource_type: 't', interval_seconds: 0.5, colour: 'red' },
      { url: 'http://y/metrics', tenant: 'a', resource_id: 'r', resource_type: 't', capacity: 0 },
      {
        url: 'http://z/metrics',
        tenant: 'a',
        resource_id: 'r',
        resource_type: 't',
        over_utilized_above: 50,
        under_utilized_below: 60,
      },
      'http://w/metrics',
    ]);
    expect(problems).toContain('entry 1: url must use http: or https: (got "ftp://x/metrics")');
    expect(problems).toContain('entry 2: unknown field "colour"');
    expect(problems).toContain('entry 2: tenant must be a non-empty string (got "")');
    expect(problems).toContain('entry 2: resource_id is required');
    expect(problems).toContain('entry 2: interval_seconds must be a whole number from 1 to 86400 (got 0.5)');
    expect(problems).toContain('entry 3: capacity must be a number above 0 (got 0)');
    expect(problems).toContain('entry 4: under_utilized_below (60) must not exceed over_utilized_above (50)');
    expect(problems).toContain('entry 5: must be an object');
  });

  it('refuses text that is not JSON, and the same target twice for one tenant', () => {
    expect(() => loadConfig({ env: { PULSE_SCRAPE_TARGETS: '[{url:' }, file: null })).toThrow(
      /PULSE_SCRAPE_TARGETS must be JSON/,
    );
    const twice = { url: 'http://u:p@x/metrics', tenant: 'a', resource_id: 'r', resource_type: 't' };
    expect(problemsOf([twice, { ...twice, url: 'http://x/metrics' }])).toContain(
      'entry 2: http://x/metrics for tenant a is listed twice',
    );
  });
});
