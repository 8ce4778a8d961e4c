import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventStream } from '../ingestion/event-stream.js';
import { EventBus } from './event-bus.js';
import { startLeadership, type Leadership } from './leader.js';
import type { BusChannel, OpenLeaderLease, StateChannel, StateOwner } from './ports.js';
import { StateSync } from './state-sync.js';

export { EventBus } from './event-bus.js';
export { startLeadership, type Leadership } from './leader.js';
export type { StateChange, StateOwner } from './ports.js';

/** What /readyz says of this process's place among the processes sharing the state. */
export interface ClusterView {
  process: string;
  leader: boolean;
}

export interface Cluster {
  leadership: Leadership;
  view: () => ClusterView;
  /** Keeps these owners' copies of shared state in step with the other processes (state-sync.ts). */
  followState(owners: readonly StateOwner[]): void;
  stop(): Promise<void>;
}

/**
 * Several Pulse processes on one PostgreSQL state acting as one: the event bus (every process's stream sees
 * every process's events) and one leader for the scheduled work that must run once.
 */
export async function startCluster(deps: {
  /** The shared state's bus and lock (storage/postgres/pg-cluster.ts); closed at stop. */
  link: {
    channel: BusChannel;
    openLease: OpenLeaderLease;
    state: StateChannel;
    close: () => Promise<void>;
  };
  stream: EventStream;
  registry: Registry;
  logger: Logger;
}): Promise<Cluster> {
  const processId = `${hostname()}-${randomUUID().slice(0, 8)}`;
  const logger = deps.logger.child({ process: processId });
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [deps.registry] });
  const published = counter('pulse_cluster_events_published_total', 'Events this process sent to the others');
  const received = counter(
    'pulse_cluster_events_received_total',
    'Events of other processes fed to this one',
  );
  const dropped = counter(
    'pulse_cluster_events_unpublished_total',
    'Events the other processes never got (the event bus was unreachable for long)',
  );
  const missed = counter(
    'pulse_cluster_bus_missed_total',
    'Times this process missed events of others and rebuilt its rollups from the store',
  );
  const applied = counter(
    'pulse_cluster_state_changes_applied_total',
    'Changes of shared state (rules, alerts, silences, budgets, report schedules) other processes made, applied here',
  );
  const reloaded = counter(
    'pulse_cluster_state_reloads_total',
    'Times this process reloaded all shared state it keeps in memory (a lost connection, missed events)',
  );
  const sync = new StateSync({
    channel: deps.link.state,
    origin: processId,
    logger,
    counters: { applied: () => applied.inc(), reloaded: () => reloaded.inc() },
  });
  const bus = new EventBus({
    channel: deps.link.channel,
    stream: deps.stream,
    origin: processId,
    logger,
    counters: {
      published: (n) => published.inc(n),
      received: (n) => received.inc(n),
      dropped: (n) => dropped.inc(n),
      missed: () => missed.inc(),
    },
    // What is built from the events (the alert rules' state, the summary rollups: each owner's reloadAll) is
    // rebuilt from the store.
    onMissed: () => sync.reload(),
  });
  try {
    await bus.start();
  } catch (error) {
    await deps.link.close();
    throw error;
  }
  try {
    await sync.start();
  } catch (error) {
    await bus.stop();
    await deps.link.close();
    throw error;
  }
  const leadership = startLeadership({ openLease: deps.link.openLease, logger });
  const leaderGauge = new Gauge({
    name: 'pulse_cluster_leader',
    help: '1 while this process runs the scheduled work that must run once (retention, syncs, pollers)',
    registers: [deps.registry],
  });
  leaderGauge.set(0);
  leadership.onChange((leader) => leaderGauge.set(leader ? 1 : 0));
  logger.info('following the other processes on the event bus');
  return {
    leadership,
    view: () => ({ process: processId, leader: leadership.isLeader() }),
    followState: (owners) => sync.follow(owners),
    stop: async () => {
      await sync.stop();
      await leadership.stop();
      await bus.stop();
      await deps.link.close();
    },
  };
}
