import { defaultThresholds, type Thresholds } from './resource-event.js';

/** One Prometheus endpoint Pulse scrapes, as configured. */
export interface ScrapeTarget {
  /** The URL scraped, credentials included (sent as basic auth). */
  url: string;
  /** The URL without credentials: its name on the status board and in events. */
  id: string;
  tenant: string;
  resourceId: string;
  resourceType: string;
  /** CPUs the host is entitled to, when fewer than node_exporter sees. */
  capacity?: number;
  monthlyCost?: number;
  intervalSeconds: number;
  thresholds: Thresholds;
}

export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 60;

const fields = [
  'url',
  'tenant',
  'resource_id',
  'resource_type',
  'capacity',
  'monthly_cost',
  'interval_seconds',
  'over_utilized_above',
  'under_utilized_below',
] as const;

type Check = (value: unknown) => string | null;
const text: Check = (v) => (typeof v === 'string' && v.trim() !== '' ? null : 'must be a non-empty string');
const numberIn =
  (min: number, max: number, exclusiveMin = false): Check =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && (exclusiveMin ? v > min : v >= min) && v <= max
      ? null
      : `must be a number ${exclusiveMin ? 'above' : 'from'} ${min}${max === Infinity ? '' : ` to ${max}`}`;
const wholeIn =
  (min: number, max: number): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? null
      : `must be a whole number from ${min} to ${max}`;
const httpUrl: Check = (v) => {
  if (typeof v !== 'string') return 'must be an http(s) URL';
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'must use http: or https:';
  } catch {
    return 'must be an absolute http(s) URL';
  }
};
const checks: Record<(typeof fields)[number], Check> = {
  url: httpUrl,
  tenant: text,
  resource_id: text,
  resource_type: text,
  capacity: numberIn(0, Infinity, true),
  monthly_cost: numberIn(0, Infinity),
  interval_seconds: wholeIn(1, 86_400),
  over_utilized_above: numberIn(0, 100),
  under_utilized_below: numberIn(0, 100),
};
const required = new Set(['url', 'tenant', 'resource_id', 'resource_type']);

/** The URL without user and password: safe to show and to key events by. */
export function withoutCredentials(raw: string): string {
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  return url.href;
}

/** Reads the configured scrape targets; every problem is named by entry and field, all at once. */
export function parseScrapeTargets(value: unknown): { targets: ScrapeTarget[]; problems: string[] } {
  if (!Array.isArray(value))
    return {
      targets: [],
      problems: ['must be a JSON array of {url, tenant, resource_id, resource_type, …}'],
    };
  const targets: ScrapeTarget[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, index) => {
    const where = `entry ${index + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${where}: must be an object`);
      return;
    }
    const e = entry as Record<string, unknown>;
    const before = problems.length;
    for (const name of Object.keys(e))
      if (!(fields as readonly string[]).includes(name))
        problems.push(`${where}: unknown field "${name}" (known: ${fields.join(', ')})`);
    for (const name of fields) {
      if (e[name] === undefined) {
        if (required.has(name)) problems.push(`${where}: ${name} is required`);
        continue;
      }
      const problem = checks[name](e[name]);
      if (problem) problems.push(`${where}: ${name} ${problem} (got ${JSON.stringify(e[name])})`);
    }
    if (problems.length > before) return;
    const thresholds = {
      overAbove: (e.over_utilized_above as number | undefined) ?? defaultThresholds.overAbove,
      underBelow: (e.under_utilized_below as number | undefined) ?? defaultThresholds.underBelow,
    };
    if (thresholds.underBelow > thresholds.overAbove) {
      problems.push(
        `${where}: under_utilized_below (${thresholds.underBelow}) must not exceed over_utilized_above (${thresholds.overAbove})`,
      );
      return;
    }
    const id = withoutCredentials(e.url as string);
    const key = `${id}\u0000${e.tenant as string}`;
    if (seen.has(key)) {
      problems.push(`${where}: ${id} for tenant ${e.tenant as string} is listed twice`);
      return;
    }
    seen.add(key);
    targets.push({
      url: e.url as string,
      id,
      tenant: (e.tenant as string).trim(),
      resourceId: (e.resource_id as string).trim(),
      resourceType: (e.resource_type as string).trim(),
      ...(e.capacity !== undefined ? { capacity: e.capacity as number } : {}),
      ...(e.monthly_cost !== undefined ? { monthlyCost: e.monthly_cost as number } : {}),
      intervalSeconds: (e.interval_seconds as number | undefined) ?? DEFAULT_SCRAPE_INTERVAL_SECONDS,
      thresholds,
    });
  });
  return { targets, problems };
}
