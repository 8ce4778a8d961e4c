import { createSafeFetch, type SafeFetchOptions } from '../net/safe-fetch.js';
import type { AlertStore } from '../storage/alert-store.js';
import { channelProblems, createChannels, DashboardStream } from './channels/index.js';
import {
  createAlertEngine,
  type AlertEngine,
  type AlertEngineOptions,
  type AlertLogger,
  type EngineHooks,
} from './engine.js';
import type { AlertSettings } from './settings.js';

export { alertSettingsFrom, type AlertSettings, type AlertConfigExtras } from './settings.js';
export { createAlertEngine, type AlertEngine, type TransitionListener } from './engine.js';
export { DashboardStream, type DashboardEvent } from './channels/index.js';
export { defaultRules } from './default-rules.js';
export type { Rule } from './rule-model.js';
export type { Alert, Delivery, Transition, Severity } from './types.js';

export interface AlertSystem {
  engine: AlertEngine;
  dashboard: DashboardStream;
  close(): Promise<void>;
}

/**
 * The alert engine with its outbound client, channels and dashboard stream, built from settings: what the
 * composition root (main.ts) wires to the committed-event stream.
 */
export function createAlertSystem(deps: {
  store: AlertStore;
  settings: AlertSettings;
  logger: AlertLogger;
  clock?: () => number;
  hooks?: EngineHooks;
  fetch?: Partial<SafeFetchOptions>;
  writerLazyMs?: number;
  journal?: AlertEngineOptions['journal'];
  ruleState?: AlertEngineOptions['ruleState'];
}): AlertSystem {
  const { settings, logger } = deps;
  const fetch = createSafeFetch({
    allowPrivateNetworks: settings.outbound.allowPrivateNetworks,
    allowHosts: settings.outbound.allowHosts,
    timeoutMs: settings.outbound.timeoutMs,
    retries: settings.outbound.retries,
    retryBaseMs: settings.outbound.retryBaseMs,
    retryMaxMs: 5_000,
    maxRedirects: 3,
    ...deps.fetch,
  });
  const dashboard = new DashboardStream((error) => logger.error({ err: error }, 'dashboard listener failed'));
  const channels = createChannels({ settings, fetch, dashboard });
  for (const problem of channelProblems(channels)) logger.warn(problem);
  const engine = createAlertEngine({
    store: deps.store,
    settings,
    channels,
    dashboard,
    logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.hooks ? { hooks: deps.hooks } : {}),
    ...(deps.writerLazyMs !== undefined ? { writerLazyMs: deps.writerLazyMs } : {}),
    ...(deps.journal ? { journal: deps.journal } : {}),
    ...(deps.ruleState ? { ruleState: deps.ruleState } : {}),
  });
  return {
    engine,
    dashboard,
    async close() {
      await engine.stop();
      fetch.close();
    },
  };
}
