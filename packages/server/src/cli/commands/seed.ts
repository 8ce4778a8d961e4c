import type { Command } from 'commander';
import { loadConfig, type FullConfig } from '../../config/index.js';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import { loadEvents } from '../../ingestion/load-events.js';
import { openPipeline } from '../../main.js';
import { estimateCount, generateEvents, tenantIds, type GenerateOptions } from '../../seed/index.js';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { progressBar } from '../progress.js';

interface SeedOptions extends ClientOptions {
  intoExisting?: boolean;
  tenants: string;
  days: string;
  seed: string;
  perDay?: string;
  end?: string;
  generic?: boolean;
  direct?: boolean;
  json?: boolean;
}

function generateOptions(options: SeedOptions): GenerateOptions {
  const whole = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number ≥ ${min}; got ${JSON.stringify(value)}`);
    return n;
  };
  const end = options.end ? new Date(options.end) : new Date();
  if (Number.isNaN(end.getTime()))
    throw new Error(`--end must be a date-time; got ${JSON.stringify(options.end)}`);
  return {
    tenants: /^\d+$/.test(options.tenants)
      ? whole('tenants', options.tenants, 1)
      : options.tenants.split(',').map((t) => t.trim()),
    days: whole('days', options.days, 1),
    seed: whole('seed', options.seed, 0),
    end,
    includeGeneric: options.generic ?? false,
    ...(options.perDay ? { eventsPerTenantPerDay: whole('per-day', options.perDay, 1) } : {}),
  };
}

/** Sends through a running server's capture API, as an SDK would (PostHog batch envelope). */
async function seedOverHttp(
  client: ApiClient,
  config: FullConfig,
  events: Iterable<CapturedEvent>,
  onProgress: (n: number) => void,
): Promise<number> {
  const token = config.projectTokens[0]?.token ?? 'phc_pulse_seed';
  let batch: object[] = [];
  let sent = 0;
  const flush = async () => {
    const response = await fetch(`${client.baseUrl}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: token,
        batch,
        sent_at: new Date().toISOString(),
        historical_migration: true,
      }),
    });
    if (response.status !== 200)
      throw new Error(`capture answered ${response.status}: ${await response.text()}`);
    sent += batch.length;
    batch = [];
    onProgress(sent);
  };
  for (const e of events) {
    batch.push({
      event: e.event,
      distinct_id: e.distinctId,
      uuid: e.uuid,
      timestamp: new Date(e.timestamp).toISOString(),
      properties: e.properties,
    });
    if (batch.length >= 2_000) await flush();
  }
  if (batch.length) await flush();
  return sent;
}

/** Which of these tenants have events (up to three named): asked in chunks, a few small reads. */
async function tenantsWithEvents(
  tenants: readonly string[],
  firstEventOf: (chunk: readonly string[]) => Promise<string | null | undefined>,
): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; i < tenants.length && found.length < 3; i += 50) {
    let chunk = tenants.slice(i, i + 50);
    // Each hit names one tenant; asking again without it finds the next.
    for (let hit = await firstEventOf(chunk); hit && found.length < 3; hit = await firstEventOf(chunk)) {
      found.push(hit);
      chunk = chunk.filter((t) => t !== hit);
      if (!chunk.length) break;
    }
  }
  return found;
}

function refuseExisting(found: readonly string[], into: string): void {
  if (!found.length) return;
  const have = found.length === 1 ? 'has' : 'have';
  throw new Error(
    `${found.join(', ')}${found.length === 3 ? ' (and maybe more)' : ''} already ${have} events in ${into}: ` +
      'seeding would mix generated data into real or demo tenants. Name new tenants (--tenants seed-a,seed-b) ' +
      'or pass --into-existing to add to them anyway.',
  );
}

export function registerSeed(program: Command): void {
  withClientOptions(
    program
      .command('seed')
      .description('Generate a realistic business-event data set (tenants, trends, incidents) into Pulse')
      .option('--tenants <n|ids>', 'number of tenants, or comma-separated tenant ids', '5')
      .option('--days <n>', 'days of history, ending now (or --end)', '30')
      .option('--seed <n>', 'random seed: the same seed gives the same data', '1')
      .option('--per-day <n>', 'mean events per tenant per day (default 40)')
      .option('--end <time>', 'end of the window (ISO 8601), default now')
      .option('--generic', 'also generate $pageview and custom product events')
      .option('--direct', 'write into the data dir even if no server runs (default when none answers)')
      .option('--into-existing', 'add to tenants that already have events (refused otherwise)')
      .option('--json', 'machine output'),
  ).action(async (options: SeedOptions) => {
    const config = loadConfig(options.config ? { file: options.config } : {});
    const generate = generateOptions(options);
    const total = estimateCount(generate);
    const bar = progressBar(total, 'seeding');
    const client = ApiClient.from(options, config);
    const started = Date.now();
    let loaded: number;
    let via: string;
    const targets =
      typeof generate.tenants === 'number' ? tenantIds(generate.tenants) : [...generate.tenants];
    try {
      if (!options.direct && (await client.answers())) {
        via = client.baseUrl;
        if (!options.intoExisting)
          refuseExisting(
            await tenantsWithEvents(targets, async (chunk) => {
              const params = new URLSearchParams({ tenant: chunk.join(','), limit: '1' });
              const page = await client.request<{ events: { tenantId: string | null }[] }>(
                'GET',
                `/api/events?${params}`,
              );
              return page.events[0]?.tenantId;
            }),
            via,
          );
        loaded = await seedOverHttp(client, config, generateEvents(generate), bar.update);
      } else {
        via = config.dataDir;
        const { pipeline, store, close } = await openPipeline(config);
        try {
          if (!options.intoExisting)
            refuseExisting(
              await tenantsWithEvents(
                targets,
                async (chunk) => (await store.listEvents({ tenants: chunk, limit: 1 })).events[0]?.tenantId,
              ),
              via,
            );
          loaded = (await loadEvents(pipeline, generateEvents(generate), bar.update)).loaded;
        } finally {
          await close();
        }
      }
    } finally {
      bar.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    const result = { events: loaded, seconds, eventsPerSecond: Math.round(loaded / seconds), into: via };
    if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else
      process.stderr.write(
        `seeded ${loaded.toLocaleString('en-US')} events into ${via} in ${seconds.toFixed(1)} s (${result.eventsPerSecond.toLocaleString('en-US')}/s)\n`,
      );
  });
}
