import { join } from 'node:path';
import type { Logger } from 'pino';
import { createSafeFetch } from '../net/safe-fetch.js';
import type { Clock } from '../clock.js';
import type { FullConfig } from '../config/index.js';
import type { IngestPipeline } from '../ingestion/pipeline.js';
import type { Metrics } from '../observability/metrics.js';
import type { SubscriptionStore } from '../storage/subscription-store.js';
import type { WebhookStore } from '../storage/webhook-store.js';
import { EmailWindows } from './email-windows.js';
import type { ProviderName, WebhookProvider } from './provider.js';
import { mailgunProvider } from './mailgun.js';
import { posthogProvider } from './posthog.js';
import { createReceiver } from './receiver.js';
import { sendgridKey, sendgridProvider } from './sendgrid.js';
import { Serial } from './serial.js';
import { sesProvider } from './ses.js';
import { SnsCertificates } from './sns-certs.js';
import { IntegrationStatus } from './status.js';
import { stripeProvider } from './stripe.js';
import { TenantMap } from './tenant-map.js';

export interface WebhookDeps {
  config: FullConfig;
  store: WebhookStore;
  subscriptions: SubscriptionStore;
  pipeline: IngestPipeline;
  metrics: Metrics;
  clock: Clock;
  logger: Logger;
  /** False while another process reports the email windows that end (cluster/leader.ts). */
  runsHere?: () => boolean;
}

/** Provider webhooks, composed: the providers from config, the receiver, the email windows and the status. */
export async function startWebhooks(deps: WebhookDeps) {
  const { config } = deps;
  // SNS certificates and subscription confirmations: only ever through the safe outbound client.
  const outbound = createSafeFetch({
    allowPrivateNetworks: config.outboundAllowPrivate,
    allowHosts: config.outboundAllowHosts,
    timeoutMs: 10_000,
    retries: 2,
    retryBaseMs: 500,
    retryMaxMs: 5_000,
    maxRedirects: 0,
    maxResponseBytes: 64 * 1024,
  });
  const providers: Partial<Record<ProviderName, WebhookProvider>> = {
    sendgrid: sendgridProvider({
      keys: config.sendgridPublicKey.map(sendgridKey),
      toleranceSeconds: config.webhookTolerance.sendgrid,
    }),
    mailgun: mailgunProvider({
      keys: config.mailgunSigningKey,
      toleranceSeconds: config.webhookTolerance.mailgun,
    }),
    ses: sesProvider({
      certificates: new SnsCertificates({
        seedDir: config.snsCertDir,
        cacheDir: join(config.dataDir, 'sns-certs'),
        fetch: outbound,
      }),
      fetch: outbound,
      topics: config.snsTopicArns,
      toleranceSeconds: config.webhookTolerance.ses,
      allowPrivate: config.outboundAllowPrivate,
    }),
    posthog: posthogProvider({ secrets: config.posthogWebhookSecret }),
    stripe: stripeProvider({
      secrets: config.stripeWebhookSecret,
      toleranceSeconds: config.webhookTolerance.stripe,
    }),
  };
  const serial = new Serial();
  const windowMs = config.deliverabilityWindowMinutes * 60_000;
  const windows = new EmailWindows({
    store: deps.store,
    pipeline: deps.pipeline,
    clock: deps.clock,
    windowMs,
    serial,
    ...(deps.runsHere ? { runsHere: deps.runsHere } : {}),
    onError: (error) => deps.logger.error({ err: error }, 'reporting an email window failed'),
  });
  await windows.start();
  const tenants = await TenantMap.open(deps.store, config.webhookTenantMap);
  const status = new IntegrationStatus(deps.metrics, (p) => providers[p]?.configured ?? false);
  const receive = createReceiver({
    providers,
    store: deps.store,
    pipeline: deps.pipeline,
    subscriptions: deps.subscriptions,
    tenants,
    windows,
    status,
    serial,
    windowMs,
  });
  return {
    receive,
    status,
    tenants,
    /** Stops the window timer and waits for a request or report in progress, before the store closes. */
    stop: async () => {
      windows.stop();
      await serial.run(async () => {});
      outbound.close();
    },
  };
}

export type Webhooks = Awaited<ReturnType<typeof startWebhooks>>;
