import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';

/** POST /batch/ the way posthog-js does, and expect it accepted. */
export async function capture(url: string, token: string, events: unknown[]): Promise<void> {
  const response = await fetch(`${url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: token, batch: events, sent_at: new Date().toISOString() }),
  });
  expect(response.status).toBe(200);
}

/** A posthog-style security incident that the default critical rule alerts on, for `tenant`, sent now. */
export const criticalIncident = (tenant: string) => ({
  event: 'security_incident_event',
  distinct_id: tenant,
  uuid: randomUUID(),
  timestamp: new Date().toISOString(),
  properties: {
    tenant_id: tenant,
    incident_type: 'data_exposure',
    severity: 'critical',
    affects_customer_data: true,
    records_affected: 120,
  },
});
