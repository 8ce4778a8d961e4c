import { bool, http, int, key, optStr } from './keys.js';
import { DEFAULT_FILTER_BYTES } from '../ingestion/uuid-filter.js';
import { projectTokenList, type ProjectToken } from './project-tokens.js';

/** Capture: project tokens, the ingest queue and log, and the PostHog relay upstream. */
export const ingestKeys = {
  projectTokens: key<ProjectToken[]>({
    env: 'PULSE_PROJECT_TOKEN',
    file: 'projectTokens',
    default: [],
    parse: projectTokenList,
    description:
      'Project tokens capture accepts, comma-separated, each `token` or `token=tenant-a|tenant-b` (only those tenants); empty accepts any well-formed token',
  }),
  ingestQueueMax: key({
    env: 'PULSE_INGEST_QUEUE_MAX',
    file: 'ingestQueueMax',
    default: 200_000,
    parse: int(1, 50_000_000),
    description: 'Events waiting for commit before capture answers 503',
  }),
  commitIntervalMs: key({
    env: 'PULSE_COMMIT_INTERVAL_MS',
    file: 'commitIntervalMs',
    default: 5,
    parse: int(0, 10_000),
    description:
      'Group-commit window: how long a request waits for others to share its fsync (one arriving after a quiet spell commits at once)',
  }),
  ingestLog: key({
    env: 'PULSE_INGEST_LOG',
    file: 'ingestLog',
    default: true,
    parse: bool,
    description:
      'Acknowledge captures once in the fsynced ingest log, loading the store in bulk behind it (ADR 0002); false commits each group straight into the store',
  }),
  ingestBacklogMax: key({
    env: 'PULSE_INGEST_BACKLOG_MAX',
    file: 'ingestBacklogMax',
    default: 500_000,
    parse: int(1, 50_000_000),
    description:
      'Events acknowledged (ingest log) but not yet loaded into the store before capture answers 503',
  }),
  ingestLoadRows: key({
    env: 'PULSE_INGEST_LOAD_ROWS',
    file: 'ingestLoadRows',
    default: 50_000,
    parse: int(1, 10_000_000),
    description:
      'Acknowledged events that start a bulk load from the ingest log into the store (or PULSE_INGEST_LOAD_INTERVAL_MS, whichever comes first)',
  }),
  ingestLoadIntervalMs: key({
    env: 'PULSE_INGEST_LOAD_INTERVAL_MS',
    file: 'ingestLoadIntervalMs',
    default: 250,
    parse: int(1, 60_000),
    description:
      'Longest an acknowledged event waits in the ingest log before a bulk load (unless PULSE_INGEST_LOAD_ROWS wait first); reads that must see it start a load at once',
  }),
  dedupFilterMb: key({
    env: 'PULSE_DEDUP_FILTER_MB',
    file: 'dedupFilterMb',
    default: DEFAULT_FILTER_BYTES / 2 ** 20,
    parse: int(1, 4096),
    description:
      'Memory of the dedup filter of every stored uuid (rounded down to a power of two), whatever the store holds. A uuid it cannot rule out is looked up in the store: with 32, 0.01 % of new events at 10M stored, 0.3 % at 20M, 2 % at 30M (about 3.4 MB per million stored events keeps it near 0.01 %). It is saved folded to what the ids it holds need (a page for a small store) and read back at whatever size is configured',
  }),
  readBarrierTimeoutMs: key({
    env: 'PULSE_READ_BARRIER_TIMEOUT_MS',
    file: 'readBarrierTimeoutMs',
    default: 10_000,
    parse: int(1, 600_000),
    description: 'How long a read waits for the store to catch up with acknowledged events before a 503',
  }),
  posthogHost: key({
    env: 'PULSE_POSTHOG_HOST',
    file: 'posthogHost',
    default: undefined,
    parse: http,
    description: 'Upstream PostHog for the relay',
  }),
  posthogProjectToken: key({
    env: 'PULSE_POSTHOG_PROJECT_TOKEN',
    file: 'posthogProjectToken',
    default: undefined,
    parse: optStr,
    description: 'Upstream PostHog project token',
  }),
  posthogPersonalApiKey: key({
    env: 'PULSE_POSTHOG_PERSONAL_API_KEY',
    file: 'posthogPersonalApiKey',
    default: undefined,
    parse: optStr,
    description:
      'PostHog personal API key (scope query:read) that `pulse import posthog` reads events with, unless --personal-api-key is given',
  }),
};
