import { timingSafeEqual } from 'node:crypto';
import { WebhookRefusal, header, isRecord, parseJson, type WebhookProvider } from './provider.js';

export const POSTHOG_SECRET_HEADER = 'x-pulse-webhook-secret';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sameSecret = (given: string, secret: string) => {
  const [a, b] = [Buffer.from(given), Buffer.from(secret)];
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * PostHog's HTTP Webhook destination with its default body `{"event": {…}, "person": {…}}`, authenticated by
 * a shared secret header the destination is configured to send. Events are stored as themselves (their
 * uuid, name, distinct_id and time), with the person's id and properties; tenant_id from the event, else
 * from the person.
 */
export function posthogProvider(options: { secrets: readonly string[] }): WebhookProvider {
  return {
    name: 'posthog',
    configured: options.secrets.length > 0,
    // PostHog retries only 408, 429 and 5xx.
    refusalStatus: 401,
    async verify({ body, headers, receivedAt }) {
      const given = header(headers, POSTHOG_SECRET_HEADER);
      if (!given || !options.secrets.some((s) => sameSecret(given, s)))
        throw new WebhookRefusal(
          'bad_signature',
          `the ${POSTHOG_SECRET_HEADER} header does not hold a configured secret`,
        );
      const payload = parseJson(body, 'the body');
      const event = isRecord(payload) && isRecord(payload.event) ? payload.event : null;
      if (
        !event ||
        typeof event.uuid !== 'string' ||
        !UUID.test(event.uuid) ||
        typeof event.event !== 'string'
      )
        throw new WebhookRefusal(
          'malformed',
          'the body must be {"event": {uuid, event, distinct_id, …}, "person": …}',
        );
      const person = isRecord(payload) && isRecord(payload.person) ? payload.person : null;
      const properties = isRecord(event.properties) ? event.properties : {};
      const personProperties = person && isRecord(person.properties) ? person.properties : {};
      const tenant = [properties.tenant_id, personProperties.tenant_id].find(
        (t) => typeof t === 'string' && t,
      );
      const at = typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : NaN;
      const timestamp = Number.isFinite(at) ? at : receivedAt;
      return {
        items: [
          {
            id: event.uuid,
            event: event.event,
            occurredAt: timestamp,
            tenant: (tenant as string | undefined) ?? null,
            mapKey: null,
            sendingDomain: null,
            properties,
            captured: {
              uuid: event.uuid.toLowerCase(),
              event: event.event,
              distinctId:
                [event.distinct_id, person?.id].find((d): d is string => typeof d === 'string') ?? event.uuid,
              timestamp,
              properties: {
                ...properties,
                ...(tenant ? { tenant_id: tenant } : {}),
                ...(person ? { $person_id: person.id, $person_properties: personProperties } : {}),
              },
            },
          },
        ],
      };
    },
  };
}
