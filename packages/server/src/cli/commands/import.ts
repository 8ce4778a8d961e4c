import type { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig, type FullConfig } from '../../config/index.js';
import { backfill, MAX_PAGE_SIZE, type BackfillResult, type CaptureSink } from '../../import/backfill.js';
import { pipelineCaptureSink, pulseCaptureSink } from '../../import/capture-sinks.js';
import type { BackfillSource } from '../../import/checkpoint.js';
import { utcMicros } from '../../import/hogql.js';
import { createQueryApi } from '../../import/posthog-query-api.js';
import { openPipeline } from '../../main.js';
import { ApiClient } from '../api-client.js';
import { say } from '../offline-store.js';
import { progressBar } from '../progress.js';

interface ImportOptions {
  config?: string;
  url?: string;
  host: string;
  projectId: string;
  personalApiKey?: string;
  from: string;
  to: string;
  event?: string[];
  batchSize: string;
  retries: string;
  token?: string;
  restart?: boolean;
  direct?: boolean;
  json?: boolean;
}

function whole(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new Error(`--${flag} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  return n;
}

/** `2024-01-01` (midnight UTC) or an ISO 8601 date-time (UTC unless it names an offset). */
function instant(flag: string, value: string): string {
  const parsed = utcMicros(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!parsed)
    throw new Error(
      `--${flag} must be an ISO 8601 date or date-time such as 2024-01-01 or 2024-01-01T12:00:00Z; got ${JSON.stringify(value)}`,
    );
  return parsed;
}

function sourceOf(options: ImportOptions): BackfillSource {
  let host: URL;
  try {
    host = new URL(options.host);
  } catch {
    throw new Error(
      `--host must be an absolute URL such as https://us.posthog.com; got ${JSON.stringify(options.host)}`,
    );
  }
  if (host.protocol !== 'https:' && host.protocol !== 'http:')
    throw new Error(`--host must be an http(s) URL; got ${JSON.stringify(options.host)}`);
  if (/(^|\.)i\.posthog\.com$/.test(host.hostname))
    throw new Error(
      `--host ${host.origin} is PostHog's ingest host, which has no Query API; use the app host (https://us.posthog.com or https://eu.posthog.com)`,
    );
  if (!/^(\d+|@current)$/.test(options.projectId))
    throw new Error(
      `--project-id must be the project's number (or @current); got ${JSON.stringify(options.projectId)}`,
    );
  const from = instant('from', options.from);
  const to = instant('to', options.to);
  if (from >= to) throw new Error(`--from (${from}) must be before --to (${to})`);
  return {
    host: host.origin,
    projectId: options.projectId,
    from,
    to,
    events: [...new Set(options.event ?? [])],
  };
}

/** The page's events go through a running Pulse when one answers (it holds the data dir), else through the data dir's pipeline. */
async function withSink<T>(
  options: ImportOptions,
  config: FullConfig,
  run: (sink: CaptureSink, token: string, into: string) => Promise<T>,
): Promise<T> {
  const client = ApiClient.from(options, config);
  if (!options.direct && (await client.answers())) {
    const sink = pulseCaptureSink(client.baseUrl);
    try {
      const token = options.token ?? config.projectTokens[0]?.token ?? 'phc_pulse_import';
      return await run(sink, token, client.baseUrl);
    } finally {
      sink.close();
    }
  }
  // Logs go to stderr: stdout is the command's output (--json).
  const { pipeline, close } = await openPipeline(
    config,
    pino({ level: config.logLevel }, pino.destination(2)),
  );
  try {
    return await run(pipelineCaptureSink(pipeline), 'phc_pulse_import', config.dataDir);
  } finally {
    // Drains the pipeline first: imported means in the store, not only acknowledged in the ingest log.
    await close();
  }
}

function summary(result: BackfillResult, into: string): string {
  const { checkpoint: c, file } = result;
  if (result.alreadyComplete)
    return `nothing to do: ${c.imported.toLocaleString('en-US')} events of this range were imported by an earlier run (checkpoint ${file}); pass --restart to read the range again (events already stored are not stored twice)`;
  const quarantined = c.quarantined
    ? `; ${c.quarantined.toLocaleString('en-US')} quarantined for breaking their schema (pulse quarantine list)`
    : '';
  return `imported ${c.imported.toLocaleString('en-US')} events from PostHog project ${c.source.projectId} into ${into} (${result.read.toLocaleString('en-US')} read by this run; events already stored are not stored twice)${quarantined}`;
}

export function registerImport(program: Command): void {
  const importing = program
    .command('import')
    .description('Copy events into Pulse from another analytics tool');
  importing
    .command('posthog')
    .description(
      "Backfill a PostHog project's events over its Query API, resumably, through capture's validation, quarantine and dedup",
    )
    .requiredOption('--host <url>', 'PostHog app host, e.g. https://us.posthog.com or https://eu.posthog.com')
    .requiredOption('--project-id <id>', 'PostHog project id (the number in its URLs)')
    .option(
      '--personal-api-key <key>',
      'personal API key with the query:read scope (default PULSE_POSTHOG_PERSONAL_API_KEY)',
    )
    .requiredOption(
      '--from <time>',
      'first instant to import (ISO 8601 date or date-time; UTC unless it names an offset)',
    )
    .requiredOption('--to <time>', 'instant to stop before (exclusive)')
    .option('--event <name>', 'only events with this name (repeatable)', (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .option('--batch-size <n>', `events per page (1 to ${MAX_PAGE_SIZE})`, '1000')
    .option(
      '--retries <n>',
      'further attempts after a rate limit, a server error or no answer (0 to 20)',
      '5',
    )
    .option(
      '--token <token>',
      'project token (or ingest API key) the events are captured with through a running server (default: the first of PULSE_PROJECT_TOKEN)',
    )
    .option('--restart', 'ignore the checkpoint of an earlier run and read the range from its start')
    .option('--direct', 'write into the data dir even if a server answers (default when none does)')
    .option('--url <url>', 'Pulse server URL (default from config: http://PULSE_HOST:PULSE_PORT)')
    .option('--json', 'machine output')
    .action(async (options: ImportOptions) => {
      const config = loadConfig(options.config ? { file: options.config } : {});
      const source = sourceOf(options);
      const pageSize = whole('batch-size', options.batchSize, 1, MAX_PAGE_SIZE);
      const retries = whole('retries', options.retries, 0, 20);
      const personalApiKey = options.personalApiKey ?? config.posthogPersonalApiKey;
      if (!personalApiKey)
        throw new Error(
          'no PostHog personal API key: pass --personal-api-key or set PULSE_POSTHOG_PERSONAL_API_KEY (create one in PostHog under Settings → Personal API keys, scope query:read)',
        );
      const api = createQueryApi(
        { host: source.host, projectId: source.projectId, personalApiKey },
        { retries, notify: say },
      );
      let bar: ReturnType<typeof progressBar> | undefined;
      try {
        const { result, into } = await withSink(options, config, async (sink, token, into) => ({
          into,
          result: await backfill({
            source,
            dataDir: config.dataDir,
            pageSize,
            restart: options.restart ?? false,
            token,
            query: api.query,
            sink,
            onStart: (c) => {
              if (c.after)
                say(
                  `resuming after ${c.after.timestamp} (${c.imported.toLocaleString('en-US')} events imported before)`,
                );
              bar = progressBar(Math.max(c.total, c.imported), 'importing');
              bar.update(c.imported);
            },
            onPage: (c) => bar?.update(c.imported),
          }),
        }));
        bar?.stop();
        if (options.json)
          process.stdout.write(
            `${JSON.stringify({ ...result.checkpoint, read: result.read, alreadyComplete: result.alreadyComplete, into, checkpointFile: result.file })}\n`,
          );
        else process.stderr.write(`${summary(result, into)}\n`);
      } finally {
        bar?.stop();
        api.close();
      }
    });
}
