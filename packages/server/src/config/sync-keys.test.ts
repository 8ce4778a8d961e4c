import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

const url = 'postgres://reader:hunter2-secret@db.internal:5432/app';
const entry = {
  name: 'billing',
  url,
  view: 'billing.subscriptions_v',
  target: 'subscriptions',
  interval_seconds: 300,
};

const problemsOf = (sources: unknown): string[] => {
  try {
    loadConfig({ env: { PULSE_SYNC_SOURCES: JSON.stringify(sources) }, file: null });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('PULSE_SYNC_SOURCES', () => {
  it('reads a source with its defaults', () => {
    const config = loadConfig({ env: { PULSE_SYNC_SOURCES: JSON.stringify([entry]) }, file: null });
    expect(config.syncSources).toEqual([
      {
        name: 'billing',
        url,
        read: { view: 'billing.subscriptions_v' },
        target: 'subscriptions',
        intervalSeconds: 300,
        key: 'tenant_id',
        maxRows: 100_000,
        statementTimeoutSeconds: 30,
      },
    ]);
    expect(loadConfig({ env: {}, file: null }).syncSources).toEqual([]);
  });

  it.each([
    [{ ...entry, query: 'SELECT 1' }, 'entry 1 ("billing"): needs exactly one of query or view'],
    [{ ...entry, interval_seconds: undefined }, 'entry 1 ("billing"): interval_seconds is required'],
    [{ ...entry, interval_seconds: 1 }, 'interval_seconds must be a whole number from 5 to 86400'],
    [{ ...entry, url: 'mysql://reader:hunter2-secret@db/app' }, 'url must be a postgres:// URL with a host'],
    [{ ...entry, target: 'users' }, 'target must be subscriptions or tenants'],
    [{ ...entry, view: 'x; DROP TABLE y' }, 'view must be a view name'],
    [{ ...entry, interval: 60 }, 'unknown field "interval"'],
    [{ ...entry, name: 'Billing Views' }, '("Billing Views"): name must be 1-63 lower-case letters'],
  ])('names the entry and the problem, never the URL: %j', (source, problem) => {
    const [message, ...rest] = problemsOf([source]);
    expect(rest).toEqual([]);
    expect(message).toMatch(/^PULSE_SYNC_SOURCES entry 1\b/);
    expect(message).toContain(problem);
    expect(message).not.toContain('hunter2-secret');
  });

  it('refuses a name used twice and text that is not a JSON array', () => {
    expect(problemsOf([entry, entry])[0]).toContain('entry 2 ("billing"): name "billing" is used twice');
    expect(problemsOf({ ...entry })[0]).toContain('must be a JSON array of sources');
  });
});
