import type { DayRequest, EdgeFactRows } from '../storage/analytics-reads.js';
import { DayRollup, type TenantRollups } from './day-rollup.js';
import { DAY_MS, dayOf, factOf, LATE_GRACE_MS, summaryEventTypes, type Fact } from './facts.js';
import type { TimeWindow } from './summary-types.js';

/** Reads the raw events of some days (AnalyticsReads.edgeFacts). */
export type ReadDays = (requests: readonly DayRequest[]) => Promise<EdgeFactRows>;

const HOUR_MS = 3_600_000;

/** A load in flight: what it covers, the facts committed meanwhile (it may or may not see them), its end. */
interface Load {
  tenants: ReadonlySet<string> | 'all';
  buffer: Fact[];
  done: Promise<unknown>;
}

/** One tenant's facts of one day, sorted by timestamp, and (once asked for) rollups of its hours. */
interface TenantDay {
  facts: Fact[];
  /** Rollups of each UTC hour, keyed with `hoursOf`'s tables; rebuilt when asked for another (after a rebuild). */
  hours: DayRollup[] | null;
  hoursOf: TenantRollups | null;
  /** Merged hours [0, h) and [h, 24), by h: a window edge is a day's prefix or suffix. Cleared by new facts. */
  prefixes: Map<number, DayRollup>;
  suffixes: Map<number, DayRollup>;
}

const tenantDay = (facts: Fact[]): TenantDay => ({
  facts,
  hours: null,
  hoursOf: null,
  prefixes: new Map(),
  suffixes: new Map(),
});

interface CachedDay {
  number: number;
  /** Every tenant's facts are here (tenants without any have no entry). */
  all: boolean;
  tenants: Map<string, TenantDay>;
  loads: Set<Load>;
  leases: number;
}

/** Cached days held for one computation (release it afterwards). */
export interface DaysLease {
  /**
   * Appends, newest first, the buckets that make up a tenant's [from, to) inside one day: the hourly
   * rollups of the whole hours, and rollups of the raw facts of the partial hours at both ends.
   */
  buckets(tenant: TenantRollups, segment: TimeWindow, into: DayRollup[]): void;
  release(): void;
}

/** A list scope larger than this loads the whole day: one scan either way, and the next caller reuses it. */
const WHOLE_DAY_THRESHOLD = 64;

const covers = (load: Load, tenant: string) => load.tenants === 'all' || load.tenants.has(tenant);

/**
 * The raw facts of a few UTC days, for the partial days at window edges: whole days come from the rollups,
 * but an edge like [10:17, 24:00) needs finer data. Days are loaded from the store on demand (for the tenants
 * asked, or all), kept exact from the committed stream like the rollups, and evicted least recently used
 * beyond `maxDays`. A default window's edges stay on the same three days all day long. Whole hours inside an
 * edge come from hourly rollups, so a summary re-adds only the facts of at most two partial hours per edge.
 */
export class EdgeDays {
  private readonly days = new Map<number, CachedDay>();
  private strings = new Map<string, string>();

  constructor(
    private readonly read: ReadDays,
    private readonly maxDays = 8,
    private readonly lateGraceMs = LATE_GRACE_MS,
  ) {}

  /** Shares equal strings between kept facts (reset when large: sharing only saves memory and time). */
  private readonly intern = (s: string): string => {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size >= 1_000_000) this.strings = new Map();
    this.strings.set(s, s);
    return s;
  };

  /** Applies a committed fact to the cached day it belongs to, and to the loads in flight that cover it. */
  observe(fact: Fact): void {
    const day = this.days.get(dayOf(fact.timestamp));
    if (!day) return;
    const kept: Fact = {
      ...fact,
      tenant: this.intern(fact.tenant),
      key: this.intern(fact.key),
      actions: fact.actions.map(this.intern),
    };
    const entry = day.tenants.get(kept.tenant);
    if (entry) {
      insertByTime(entry.facts, kept);
      if (entry.hours && entry.hoursOf) entry.hours[hourOf(kept)]?.add(kept, entry.hoursOf, this.lateGraceMs);
      entry.prefixes.clear();
      entry.suffixes.clear();
    } else if (day.all) day.tenants.set(kept.tenant, tenantDay([kept]));
    for (const load of day.loads) if (covers(load, kept.tenant)) load.buffer.push(kept);
  }

  /** Makes sure the facts of `days` for `tenants` are cached, and holds them until released. */
  async acquire(days: readonly number[], tenants: readonly string[] | 'all'): Promise<DaysLease> {
    const held = [...new Set(days)].map((n) => this.touch(n));
    for (const day of held) day.leases++;
    const lease: DaysLease = {
      buckets: (tenant, segment, into) => this.buckets(tenant, segment, into),
      release: () => {
        for (const day of held) day.leases--;
        this.evict();
      },
    };
    try {
      // Loads what nobody is loading and waits for the rest; again if another caller's load failed.
      for (;;) {
        const mine = new Map<CachedDay, Load>();
        const others = new Set<Promise<unknown>>();
        for (const day of held) {
          const { missing, pending } = lacking(day, tenants);
          for (const load of pending) others.add(load.done);
          if (missing !== null)
            mine.set(day, {
              tenants: missing === 'all' ? 'all' : new Set(missing),
              buffer: [],
              done: Promise.resolve(),
            });
        }
        if (!mine.size && !others.size) return lease;
        if (mine.size) await this.load(mine);
        await Promise.allSettled(others);
      }
    } catch (error) {
      lease.release();
      throw error;
    }
  }

  private buckets(tenant: TenantRollups, { from, to }: TimeWindow, into: DayRollup[]): void {
    const number = dayOf(from);
    const entry = this.days.get(number)?.tenants.get(tenant.id);
    if (!entry) return;
    const start = number * DAY_MS;
    const firstHour = Math.ceil((from - start) / HOUR_MS);
    const endHour = Math.floor((to - start) / HOUR_MS);
    if (firstHour >= endHour) {
      into.push(this.rollupOf(entry.facts, tenant, from, to));
      return;
    }
    const hours = this.hoursOf(entry, tenant);
    if (to > start + endHour * HOUR_MS)
      into.push(this.rollupOf(entry.facts, tenant, start + endHour * HOUR_MS, to));
    if (firstHour === 0) into.push(merged(entry.prefixes, endHour, hours, 0, endHour));
    else if (endHour === 24) into.push(merged(entry.suffixes, firstHour, hours, firstHour, 24));
    else for (let h = endHour - 1; h >= firstHour; h--) into.push(hours[h] as DayRollup);
    if (from < start + firstHour * HOUR_MS)
      into.push(this.rollupOf(entry.facts, tenant, from, start + firstHour * HOUR_MS));
  }

  private hoursOf(entry: TenantDay, tenant: TenantRollups): DayRollup[] {
    if (entry.hours && entry.hoursOf === tenant) return entry.hours;
    const hours = Array.from({ length: 24 }, () => new DayRollup());
    for (const fact of entry.facts) hours[hourOf(fact)]?.add(fact, tenant, this.lateGraceMs);
    entry.hours = hours;
    entry.hoursOf = tenant;
    entry.prefixes.clear();
    entry.suffixes.clear();
    return hours;
  }

  private rollupOf(facts: readonly Fact[], tenant: TenantRollups, from: number, to: number): DayRollup {
    const rollup = new DayRollup();
    const end = firstAtOrAfter(facts, to);
    for (let i = firstAtOrAfter(facts, from); i < end; i++)
      rollup.add(facts[i] as Fact, tenant, this.lateGraceMs);
    return rollup;
  }

  /** Reads the days in one statement; facts committed while it runs are buffered and merged by uuid. */
  private async load(loads: ReadonlyMap<CachedDay, Load>): Promise<void> {
    const requests: DayRequest[] = [];
    for (const [day, load] of loads) {
      day.loads.add(load);
      requests.push({ day: day.number, tenants: load.tenants === 'all' ? 'all' : [...load.tenants] });
    }
    const reading = this.read(requests);
    for (const load of loads.values()) load.done = reading;
    try {
      const loaded = factsByDay(await reading, this.intern);
      for (const [day, load] of loads)
        install(day, load, loaded.get(day.number) ?? new Map<string, Fact[]>());
    } finally {
      for (const [day, load] of loads) day.loads.delete(load);
    }
  }

  private touch(number: number): CachedDay {
    let day = this.days.get(number);
    if (day) this.days.delete(number);
    else day = { number, all: false, tenants: new Map(), loads: new Set(), leases: 0 };
    this.days.set(number, day);
    return day;
  }

  private evict(): void {
    for (const [number, day] of this.days) {
      if (this.days.size <= this.maxDays) return;
      if (day.leases === 0 && day.loads.size === 0) this.days.delete(number);
    }
  }
}

/** The merge of hours [from, to), cached under `key` until the day changes. */
function merged(
  cache: Map<number, DayRollup>,
  key: number,
  hours: readonly DayRollup[],
  from: number,
  to: number,
): DayRollup {
  let rollup = cache.get(key);
  if (!rollup) {
    rollup = new DayRollup();
    for (let h = from; h < to; h++) rollup.merge(hours[h] as DayRollup);
    cache.set(key, rollup);
  }
  return rollup;
}

const hourOf = (fact: Fact): number =>
  Math.floor((fact.timestamp - dayOf(fact.timestamp) * DAY_MS) / HOUR_MS);

/** What of `tenants` a day lacks: tenants nobody loads (null: none; 'all': load the day) and loads to await. */
function lacking(
  day: CachedDay,
  tenants: readonly string[] | 'all',
): { missing: readonly string[] | 'all' | null; pending: Load[] } {
  if (day.all) return { missing: null, pending: [] };
  const loads = [...day.loads];
  if (tenants === 'all') {
    const whole = loads.find((l) => l.tenants === 'all');
    return whole ? { missing: null, pending: [whole] } : { missing: 'all', pending: [] };
  }
  const pending = new Set<Load>();
  const missing: string[] = [];
  for (const tenant of new Set(tenants)) {
    if (day.tenants.has(tenant)) continue;
    const load = loads.find((l) => covers(l, tenant));
    if (load) pending.add(load);
    else missing.push(tenant);
  }
  return {
    missing: missing.length === 0 ? null : missing.length > WHOLE_DAY_THRESHOLD ? 'all' : missing,
    pending: [...pending],
  };
}

/** A load's snapshot plus what it buffered and did not see (by uuid) becomes the day's facts for its tenants. */
function install(day: CachedDay, load: Load, loaded: Map<string, Fact[]>): void {
  const seen = new Set<string>();
  for (const list of loaded.values()) for (const fact of list) seen.add(fact.uuid);
  for (const fact of load.buffer) if (!seen.has(fact.uuid)) push(loaded, fact);
  const entries = new Map<string, TenantDay>();
  for (const [tenant, facts] of loaded) {
    facts.sort((a, b) => a.timestamp - b.timestamp);
    entries.set(tenant, tenantDay(facts));
  }
  if (load.tenants === 'all') {
    day.tenants = entries;
    day.all = true;
  } else for (const tenant of load.tenants) day.tenants.set(tenant, entries.get(tenant) ?? tenantDay([]));
}

function push(tenants: Map<string, Fact[]>, fact: Fact): void {
  const list = tenants.get(fact.tenant);
  if (list) list.push(fact);
  else tenants.set(fact.tenant, [fact]);
}

/** Inserts a fact into a list sorted by timestamp (stream facts mostly arrive in order: usually a push). */
function insertByTime(list: Fact[], fact: Fact): void {
  const last = list[list.length - 1];
  if (!last || last.timestamp <= fact.timestamp) list.push(fact);
  else list.splice(firstAtOrAfter(list, fact.timestamp + 1), 0, fact);
}

/** Index of the first fact with timestamp ≥ ms in a list sorted by timestamp. */
export function firstAtOrAfter(list: readonly Fact[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Fact).timestamp < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Edge fact rows as facts, by day and tenant. */
function factsByDay(
  { rows, event: e, tenant: t, timestamp: ts, ingestedAt: ing, uuid: u, properties: p }: EdgeFactRows,
  intern: (s: string) => string,
): Map<number, Map<string, Fact[]>> {
  const byDay = new Map<number, Map<string, Fact[]>>();
  for (let i = 0; i < rows; i++) {
    const fact = factOf(
      {
        event: summaryEventTypes[e[i] as number] ?? '',
        tenantId: t[i] as string,
        timestamp: ts[i] as number,
        ingestedAt: ing[i] as number,
        uuid: u[i] as string,
        distinctId: '',
        properties: JSON.parse(p[i] as string) as Record<string, unknown>,
      },
      intern,
    );
    if (!fact) continue;
    const day = dayOf(fact.timestamp);
    let tenants = byDay.get(day);
    if (!tenants) byDay.set(day, (tenants = new Map<string, Fact[]>()));
    push(tenants, fact);
  }
  return byDay;
}
