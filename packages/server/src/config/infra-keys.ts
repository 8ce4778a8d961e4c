import { BadValue, key } from './keys.js';
import { parseScrapeTargets, type ScrapeTarget } from '../infra/targets.js';

/** A JSON value in env (text), the value itself in the file; empty text is `empty`. */
const json = <T>(raw: unknown, empty: T, shape: string): unknown => {
  if (typeof raw !== 'string') return raw;
  if (raw.trim() === '') return empty;
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadValue(`must be JSON: ${shape}`);
  }
};

const scrapeTargets = (raw: unknown): ScrapeTarget[] => {
  const { targets, problems } = parseScrapeTargets(
    json(raw, [], '[{"url", "tenant", "resource_id", "resource_type", …}]'),
  );
  if (problems.length) throw new BadValue(problems.join('; '));
  return targets;
};

/** Infrastructure metrics: Prometheus scrape targets. */
export const infraKeys = {
  scrapeTargets: key<ScrapeTarget[]>({
    env: 'PULSE_SCRAPE_TARGETS',
    file: 'scrapeTargets',
    default: [],
    parse: scrapeTargets,
    description:
      'Prometheus node_exporter endpoints to scrape into resource_usage_event (JSON array): {"url", "tenant", "resource_id", "resource_type", "capacity"?: CPUs, "monthly_cost"?: USD, "interval_seconds"?: 60, "over_utilized_above"?: 85, "under_utilized_below"?: 25}. See docs/integrations.md',
  }),
};
