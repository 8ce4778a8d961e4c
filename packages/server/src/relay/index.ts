import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RelayStatus } from '@pulse/api';
import type { FullConfig } from '../config/index.js';
import type { RecordCipher } from '../encryption/record-cipher.js';
import { DomainError, NotFoundError } from '../errors.js';
import type { EventStream } from '../ingestion/event-stream.js';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import { LogReader } from '../ingestion/log-reader.js';
import { startPoller } from '../integrations/poller.js';
import type { SourceStatusBoard } from '../integrations/source-status.js';
import { createSafeFetch } from '../net/safe-fetch.js';
import type { RelayDeadLetter, RelayDeadLetterStore } from '../storage/relay-dead-letter-store.js';
import type { RelayCursor } from './cursor.js';
import { relayMetrics } from './metrics.js';
import { Relay } from './relay.js';
import { batchBody } from './wire.js';

export { RelayCursor } from './cursor.js';

export interface RelayDeps {
  config: FullConfig;
  /** Opened before the ingest log, so the segments the relay still needs are kept (null: relay off). */
  cursor: RelayCursor | null;
  logDir: string;
  cipher: RecordCipher | null;
  logEnd: () => number;
  decode: (row: string) => CapturedEvent;
  stream: EventStream;
  deadLetters: RelayDeadLetterStore;
  sources: SourceStatusBoard;
  registry: Registry;
  logger: Logger;
}

/** What the API and CLI see of the relay, configured or not. */
export interface RelayControl {
  status(): Promise<RelayStatus>;
  /** Retries one dead letter by id, or every one (`'all'`). */
  retry(id: string): Promise<Awaited<ReturnType<Relay['retry']>>>;
  stop(): Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const present = (letter: RelayDeadLetter) => ({
  ...letter,
  firstAt: iso(letter.firstAt),
  lastAt: iso(letter.lastAt),
});

/** Relay on when both PULSE_POSTHOG_HOST and PULSE_POSTHOG_PROJECT_TOKEN are set (config checks the pair). */
export const relayEnabled = (config: FullConfig): boolean =>
  config.posthogHost !== undefined && config.posthogProjectToken !== undefined;

/**
 * The relay to PostHog, composed: a second reader of the ingest log sending `/batch/` requests on its own
 * schedule (woken by each commit, backed off after failures), reported on the sources board.
 */
export function startRelay(deps: RelayDeps): RelayControl {
  const { config, cursor } = deps;
  const host = config.posthogHost;
  const token = config.posthogProjectToken;
  if (!cursor || host === undefined || token === undefined) {
    return {
      status: async () => ({
        enabled: false,
        host: null,
        events: config.posthogRelayEvents,
        position: null,
        lag: { events: 0, seconds: 0 },
        sent: 0,
        failedAttempts: 0,
        dropped: 0,
        deadLetters: (await deps.deadLetters.list()).map(present),
      }),
      retry: () => {
        throw new DomainError(
          'conflict',
          'the relay to PostHog is off: set PULSE_POSTHOG_HOST and PULSE_POSTHOG_PROJECT_TOKEN to retry dead letters',
        );
      },
      stop: async () => {},
    };
  }
  const url = new URL('/batch/', host).href;
  const outbound = createSafeFetch({
    allowPrivateNetworks: config.outboundAllowPrivate,
    // The operator named this host: a self-hosted PostHog on a private network is reachable.
    allowHosts: [...config.outboundAllowHosts, new URL(host).host],
    timeoutMs: 30_000,
    retries: 0,
    retryBaseMs: 1_000,
    retryMaxMs: 60_000,
    maxRedirects: 0,
    maxResponseBytes: 4 * 1024,
  });
  let relay: Relay | null = null;
  const metrics = relayMetrics(deps.registry, () => relay?.lag() ?? { events: 0, seconds: 0 });
  relay = new Relay({
    mode: config.posthogRelayEvents,
    reader: new LogReader(deps.logDir, deps.cipher),
    cursor,
    logEnd: deps.logEnd,
    decode: deps.decode,
    post: async (events) =>
      outbound({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: await batchBody(token, events),
      }),
    deadLetters: deps.deadLetters,
    metrics,
    logger: deps.logger,
    maxBacklogBytes: config.posthogRelayMaxBacklogMb * 1024 * 1024,
  });
  const running = relay;
  const status = deps.sources.register('relay', new URL(host).origin);
  const poller = startPoller({
    run: async (signal) => {
      await running.run(signal);
      const lag = running.lag();
      return { lagEvents: lag.events, lagSeconds: Math.round(lag.seconds), sent: running.counts.sent };
    },
    intervalMs: 1_000,
    maxBackoffMs: 60_000,
    status,
    logger: deps.logger,
  });
  const unsubscribe = deps.stream.subscribe(({ events, peer }) => {
    // Each process relays its own ingest log; another's events are its own relay's.
    if (peer) return;
    let relayed = 0;
    for (const event of events) if (running.relays(event.event)) relayed++;
    if (!relayed) return;
    running.committed(relayed);
    // While failing, the back-off decides when to try again, not the next commit.
    if (status.view().state !== 'failing') void poller.pollNow();
  });
  return {
    status: async () => ({
      enabled: true,
      host: new URL(host).origin,
      events: config.posthogRelayEvents,
      position: running.position,
      lag: running.lag(),
      ...running.counts,
      deadLetters: (await deps.deadLetters.list()).map(present),
    }),
    retry: async (id) => {
      const letters = await deps.deadLetters.list();
      if (id !== 'all' && !letters.some((l) => l.id === id)) throw new NotFoundError(`dead letter ${id}`);
      return running.retry(id === 'all' ? letters.map((l) => l.id) : [id]);
    },
    stop: async () => {
      unsubscribe();
      await poller.stop();
      outbound.close();
    },
  };
}
