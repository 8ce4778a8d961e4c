import { BadValue, http, int, key, optStr } from './keys.js';
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

/** Droplet tag → tenant; tags and tenants are non-empty strings. */
const tenantTags = (raw: unknown): Readonly<Record<string, string>> => {
  const value = json(raw, {}, '{"<droplet tag>": "<tenant>", …}');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BadValue('must be an object {"<droplet tag>": "<tenant>", …}');
  const map: Record<string, string> = {};
  for (const [tag, tenant] of Object.entries(value)) {
    if (typeof tenant !== 'string' || tenant.trim() === '' || tag.trim() === '')
      throw new BadValue(`tag "${tag}" must name a tenant (a non-empty string)`);
    map[tag.trim()] = tenant.trim();
  }
  return map;
};

const apiUrl = (raw: unknown): string => {
  const url = http(raw);
  if (url === undefined) throw new BadValue('must be an absolute http(s) URL');
  return url.replace(/\/+$/, '');
};

/** Infrastructure metrics: Prometheus scrape targets and the DigitalOcean API. */
export const infraKeys = {
  scrapeTargets: key<ScrapeTarget[]>({
    env: 'PULSE_SCRAPE_TARGETS',
    file: 'scrapeTargets',
    default: [],
    parse: scrapeTargets,
    description:
      'Prometheus node_exporter endpoints to scrape into resource_usage_event (JSON array): {"url", "tenant", "resource_id", "resource_type", "capacity"?: CPUs, "monthly_cost"?: USD, "interval_seconds"?: 60, "over_utilized_above"?: 85, "under_utilized_below"?: 25}. See docs/integrations.md',
  }),
  digitaloceanToken: key({
    env: 'PULSE_DIGITALOCEAN_TOKEN',
    file: 'digitaloceanToken',
    default: undefined,
    parse: optStr,
    description:
      'DigitalOcean API token (read scope: droplet, monitoring); a secret, never logged or shown. Set: Droplets, their utilization and their price become resource_usage_event',
  }),
  digitaloceanApiUrl: key({
    env: 'PULSE_DIGITALOCEAN_API_URL',
    file: 'digitaloceanApiUrl',
    default: 'https://api.digitalocean.com',
    parse: apiUrl,
    description: 'Base URL of the DigitalOcean API (the token is only ever sent there)',
  }),
  digitaloceanTenantTags: key<Readonly<Record<string, string>>>({
    env: 'PULSE_DIGITALOCEAN_TENANT_TAGS',
    file: 'digitaloceanTenantTags',
    default: {},
    parse: tenantTags,
    description:
      'Tenant of each Droplet by tag (JSON {"<tag>": "<tenant>"}; the first of its tags listed here wins)',
  }),
  digitaloceanDefaultTenant: key({
    env: 'PULSE_DIGITALOCEAN_DEFAULT_TENANT',
    file: 'digitaloceanDefaultTenant',
    default: undefined,
    parse: optStr,
    description:
      'Tenant of Droplets with no tag in PULSE_DIGITALOCEAN_TENANT_TAGS; unset: such Droplets are skipped',
  }),
  digitaloceanIntervalSeconds: key({
    env: 'PULSE_DIGITALOCEAN_INTERVAL_SECONDS',
    file: 'digitaloceanIntervalSeconds',
    default: 300,
    parse: int(10, 86_400),
    description: 'How often Droplets and their metrics are read, in seconds',
  }),
};
