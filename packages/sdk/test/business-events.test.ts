import { BusinessEvents, BusinessEventValidationError } from '@pulse/sdk';
import { PostHog } from 'posthog-node';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { startCaptureServer, type CaptureServer } from './helpers/capture-server.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What posthog-node adds to every event's properties. */
const libraryProperties = {
  $lib: 'posthog-node',
  $lib_version: expect.any(String),
  $is_server: true,
  $geoip_disable: true,
};

let server: CaptureServer;
let pulse: BusinessEvents;

beforeEach(async () => {
  server = await startCaptureServer();
  pulse = new BusinessEvents({ apiKey: 'phc_test_token', host: server.url });
});

afterEach(async () => {
  await pulse.shutdown(1000);
  await server.close();
});

describe('sending', () => {
  test('each event type arrives in one gzipped /batch/ body, exactly as built', async () => {
    const before = Date.now();
    const ids = [
      pulse.trackRevenueImpact('tenant-123', {
        impact_amount: 2500,
        impact_type: 'negative',
        event_type: 'deliverability_issue',
        bounce_rate: 0.12,
      }),
      pulse.trackCostOptimization('tenant-123', {
        savings_amount: 1200,
        optimization_type: 'implemented',
        optimization_category: 'infrastructure',
        baseline_cost: 5000,
        optimized_cost: 3800,
        tracking_date: '2025-12-19T10:30:00Z',
      }),
      pulse.trackOperationalEfficiency('tenant-123', {
        efficiency_metric: 'email_delivery_rate',
        efficiency_score: 87.5,
        trend_direction: 'improving',
        recommendations: ['warm up the new IP'],
        requires_executive_attention: false,
        tracking_date: '2025-12-19T11:30:00+01:00',
      }),
      pulse.trackStrategicDecision('tenant-123', {
        decision_type: 'vendor_selection',
        decision_title: 'Move transactional email to SES',
        status: 'approved',
        tracking_date: '2025-12-18',
      }),
      pulse.trackEmailDeliverability(
        'tenant-123',
        {
          email_count: 10000,
          delivery_outcome: 'mixed',
          bounce_rate: 0.04,
          provider: 'sendgrid',
          ip_reputation: 'good',
          tracking_date: '2025-12-19T10:30:00.123456Z',
        },
        { distinctId: 'ops@acme.test' },
      ),
      pulse.trackResourceUsage('tenant-123', {
        resource_type: 'vps_instance',
        current_usage: 6,
        capacity: 8,
        region: 'eu-west', // not in the catalog: kept
        tracking_date: '2025-12-19T10:30:00Z',
      }),
      pulse.track('security_incident_event', 'tenant-123', {
        incident_type: 'phishing',
        severity: 'high',
        affects_customer_data: false,
        records_affected: 0,
        tracking_date: '2025-12-19T10:30:00Z',
      }),
    ];
    const after = Date.now();
    const [revenue, cost, efficiency, decision, email, resource, incident] = ids;
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(7);

    await pulse.flush();

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/batch/',
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
    });
    // tracking_date defaults to the time of the call, and the event timestamp to tracking_date.
    const body = request!.body as { batch: { properties: Record<string, unknown> }[] };
    const now = body.batch[0]!.properties.tracking_date as string;
    expect(Date.parse(now)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(now)).toBeLessThanOrEqual(after);

    expect(request!.body).toStrictEqual({
      api_key: 'phc_test_token',
      sent_at: expect.any(String),
      batch: [
        {
          event: 'revenue_impact_event',
          distinct_id: 'tenant-123',
          uuid: revenue,
          timestamp: now,
          properties: {
            impact_amount: 2500,
            impact_type: 'negative',
            event_type: 'deliverability_issue',
            bounce_rate: 0.12,
            tenant_id: 'tenant-123',
            tracking_date: now,
            ...libraryProperties,
          },
        },
        {
          event: 'cost_optimization_event',
          distinct_id: 'tenant-123',
          uuid: cost,
          timestamp: '2025-12-19T10:30:00.000Z',
          properties: {
            savings_amount: 1200,
            optimization_type: 'implemented',
            optimization_category: 'infrastructure',
            baseline_cost: 5000,
            optimized_cost: 3800,
            savings_percentage: 24,
            tenant_id: 'tenant-123',
            tracking_date: '2025-12-19T10:30:00Z',
            ...libraryProperties,
          },
        },
        {
          event: 'operational_efficiency_event',
          distinct_id: 'tenant-123',
          uuid: efficiency,
          timestamp: '2025-12-19T10:30:00.000Z',
          properties: {
            efficiency_metric: 'email_delivery_rate',
            efficiency_score: 87.5,
            trend_direction: 'improving',
            recommendations: ['warm up the new IP'],
            requires_executive_attention: false,
            tenant_id: 'tenant-123',
            tracking_date: '2025-12-19T11:30:00+01:00',
            ...libraryProperties,
          },
        },
        {
          event: 'strategic_decision_event',
          distinct_id: 'tenant-123',
          uuid: decision,
          timestamp: '2025-12-18T00:00:00.000Z',
          properties: {
            decision_type: 'vendor_selection',
            decision_title: 'Move transactional email to SES',
            status: 'approved',
            decision_id: decision, // defaults to the event uuid
            tenant_id: 'tenant-123',
            tracking_date: '2025-12-18',
            ...libraryProperties,
          },
        },
        {
          event: 'email_deliverability_event',
          distinct_id: 'ops@acme.test',
          uuid: email,
          // posthog-node keeps sub-millisecond digits of a string timestamp, not of a Date.
          timestamp: '2025-12-19T10:30:00.123Z',
          properties: {
            email_count: 10000,
            delivery_outcome: 'mixed',
            bounce_rate: 0.04,
            provider: 'sendgrid',
            ip_reputation: 'good',
            tenant_id: 'tenant-123',
            tracking_date: '2025-12-19T10:30:00.123456Z',
            ...libraryProperties,
          },
        },
        {
          event: 'resource_usage_event',
          distinct_id: 'tenant-123',
          uuid: resource,
          timestamp: '2025-12-19T10:30:00.000Z',
          properties: {
            resource_type: 'vps_instance',
            current_usage: 6,
            capacity: 8,
            region: 'eu-west',
            resource_id: 'vps_instance',
            utilization_percentage: 75,
            tenant_id: 'tenant-123',
            tracking_date: '2025-12-19T10:30:00Z',
            ...libraryProperties,
          },
        },
        {
          event: 'security_incident_event',
          distinct_id: 'tenant-123',
          uuid: incident,
          timestamp: '2025-12-19T10:30:00.000Z',
          properties: {
            incident_type: 'phishing',
            severity: 'high',
            affects_customer_data: false,
            records_affected: 0,
            tenant_id: 'tenant-123',
            tracking_date: '2025-12-19T10:30:00Z',
            ...libraryProperties,
          },
        },
      ],
    });
  });

  test('posthog-node batching options pass through: flushAt sends without flush(), compression can be off', async () => {
    const batched = new BusinessEvents({
      apiKey: 'phc_test_token',
      host: server.url,
      flushAt: 2,
      flushInterval: 0,
      disableCompression: true,
    });
    const incident = { incident_type: 'ddos', severity: 'critical', affects_customer_data: false } as const;
    batched.trackSecurityIncident('tenant-a', incident);
    batched.trackSecurityIncident('tenant-b', incident);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    expect(server.requests[0]!.headers['content-encoding']).toBeUndefined();
    expect(server.requests[0]!.body).toMatchObject({
      batch: [{ distinct_id: 'tenant-a' }, { distinct_id: 'tenant-b' }],
    });
    await batched.shutdown(1000);
  });

  test('an existing posthog-node client can be injected', async () => {
    const client = new PostHog('phc_injected', { host: server.url });
    const injected = new BusinessEvents({ client });
    const uuid = injected.trackResourceUsage('tenant-9', {
      resource_type: 'database',
      current_usage: 50,
      capacity: 200,
    });
    await injected.shutdown(1000);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body).toMatchObject({
      api_key: 'phc_injected',
      batch: [{ uuid, properties: { utilization_percentage: 25, resource_id: 'database' } }],
    });
  });
});

describe('validation', () => {
  test('an invalid event throws with the catalog message and is never sent', async () => {
    const call = () => pulse.trackRevenueImpact('tenant-123', { impact_amount: -5, impact_type: 'negative' });
    expect(call).toThrow(BusinessEventValidationError);
    expect(call).toThrow(
      'revenue_impact_event: property "impact_amount" must be a number ≥ 0 (rule: minimum); received -5',
    );
    await pulse.flush();
    expect(server.requests).toEqual([]);
  });

  test('the error lists every broken property, including a derived-field inconsistency', async () => {
    let error: unknown;
    try {
      pulse.trackCostOptimization('tenant-123', {
        savings_amount: 1200,
        optimization_type: 'implemented',
        baseline_cost: 5000,
        optimized_cost: 3800,
        savings_percentage: 30,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BusinessEventValidationError);
    expect((error as BusinessEventValidationError).issues).toEqual([
      expect.objectContaining({
        event: 'cost_optimization_event',
        property: 'savings_percentage',
        rule: 'consistency',
        value: 30,
      }),
    ]);

    expect(() =>
      // @ts-expect-error plain-JS callers can leave out required properties and use unknown enum values
      pulse.trackSecurityIncident('', { severity: 'urgent', tracking_date: 'yesterday' }),
    ).toThrow(
      [
        'security_incident_event: property "incident_type" is required (a non-empty string) but was missing',
        'security_incident_event: property "affects_customer_data" is required (true or false) but was missing',
        'security_incident_event: property "tenant_id" must be a non-empty string (rule: minLength); received ""',
        'security_incident_event: property "tracking_date" must be an ISO 8601 date-time such as 2025-12-19T10:30:00Z (rule: format); received "yesterday"',
        'security_incident_event: property "severity" must be one of low | medium | high | critical (rule: enum); received "urgent"',
      ].join('; '),
    );
    await pulse.flush();
    expect(server.requests).toEqual([]);
  });

  test('a NaN the caller computed is reported as NaN, not as the null JSON would make of it', () => {
    const call = () =>
      pulse.trackEmailDeliverability('tenant-123', {
        email_count: 0,
        delivery_outcome: 'delivered',
        bounce_rate: 0 / 0,
      });
    expect(call).toThrow(BusinessEventValidationError);
    expect(call).toThrow(/property "bounce_rate" must be a number ≥ 0 and ≤ 1/);
    try {
      call();
    } catch (error) {
      expect((error as BusinessEventValidationError).issues[0]!.value).toBeNaN();
    }
  });

  test('a Date is sent as its ISO string, as JSON would send it', async () => {
    const uuid = pulse.trackSecurityIncident('tenant-123', {
      incident_type: 'data_leak',
      severity: 'critical',
      affects_customer_data: true,
      // @ts-expect-error the type asks for a string; plain-JS callers may pass a Date
      tracking_date: new Date('2025-12-19T10:30:00Z'),
    });
    await pulse.flush();
    expect(server.requests[0]!.body).toMatchObject({
      batch: [
        {
          uuid,
          timestamp: '2025-12-19T10:30:00.000Z',
          properties: { tracking_date: '2025-12-19T10:30:00.000Z' },
        },
      ],
    });
  });

  test('plain-JS misuse gets a clear TypeError', () => {
    // @ts-expect-error not a catalog event
    expect(() => pulse.track('$pageview', 'tenant-123', {})).toThrow(
      /Unknown business event "\$pageview"; expected one of revenue_impact_event, .*security_incident_event/,
    );
    // @ts-expect-error properties must be an object
    expect(() => pulse.trackSecurityIncident('tenant-123', ['x'])).toThrow(
      'security_incident_event: properties must be an object; received ["x"]',
    );
  });
});

describe("the caller's object", () => {
  test('is neither mutated nor shared with the queued event', async () => {
    const props = {
      impact_amount: 2500,
      impact_type: 'negative' as const,
      mitigation_actions: ['pause the campaign'],
    };
    const snapshot = structuredClone(props);
    pulse.trackRevenueImpact('tenant-123', Object.freeze(props));
    expect(props).toStrictEqual(snapshot); // no tenant_id, tracking_date, or anything else added

    // Changing it after the call must not change the event waiting in the batch queue.
    props.mitigation_actions.push('changed after track()');
    await pulse.flush();
    expect(server.requests[0]!.body).toMatchObject({
      batch: [{ properties: { mitigation_actions: ['pause the campaign'] } }],
    });
  });
});
