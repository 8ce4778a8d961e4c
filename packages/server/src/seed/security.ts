import type { TenantState } from './state.js';

interface Routine {
  type: string;
  severity: 'low' | 'medium' | 'high';
  status: 'contained' | 'resolved';
  description: string;
}

// Everyday incidents: handled by the security team, no customer data involved.
const routine: readonly Routine[] = [
  {
    type: 'phishing',
    severity: 'low',
    status: 'resolved',
    description: 'Credential phishing email reported by staff; sender blocked',
  },
  {
    type: 'brute_force',
    severity: 'low',
    status: 'resolved',
    description: 'Password-spraying attempt on the admin login rate-limited',
  },
  {
    type: 'ddos',
    severity: 'medium',
    status: 'resolved',
    description: 'Layer-7 traffic flood absorbed by the CDN',
  },
  {
    type: 'misconfiguration',
    severity: 'medium',
    status: 'contained',
    description: 'Overly broad IAM role found in a staging account',
  },
  {
    type: 'malware',
    severity: 'high',
    status: 'contained',
    description: 'Malware quarantined on a contractor laptop',
  },
];

const breaches = [
  {
    type: 'unauthorized_access',
    description: [
      'Leaked API key used to export customer contact lists',
      'Leaked API key revoked; export traffic stopped',
      'Keys rotated, affected customers notified, access reviewed',
    ],
  },
  {
    type: 'data_leak',
    description: [
      'Storage bucket with customer invoices publicly readable',
      'Bucket locked down; access logs under review',
      'Exposure window confirmed, customers notified, bucket policy guard added',
    ],
  },
] as const;
const stages = ['open', 'contained', 'resolved'] as const;

export interface SecurityState {
  /** Stage of the scripted breach (0 open, 1 contained, 2 resolved) and its fixed facts. */
  breachStage: number;
  breachKind: number;
  records: number;
  incidentCounter: number;
}

export const securityState = (): SecurityState => ({
  breachStage: 0,
  breachKind: 0,
  records: 0,
  incidentCounter: 0,
});

export function routineIncident(t: TenantState): Record<string, unknown> {
  const incident = t.rng.pick(routine);
  return {
    tenant_id: t.profile.id,
    incident_id: `inc-${t.profile.id}-${String(++t.security.incidentCounter).padStart(3, '0')}`,
    incident_type: incident.type,
    severity: incident.severity,
    affects_customer_data: false,
    records_affected: 0,
    status: incident.status,
    description: incident.description,
    tracking_date: t.iso,
  };
}

/** One step of the scripted breach: open → contained → resolved, customer data affected (critical). */
export function breachEvent(t: TenantState): Record<string, unknown> {
  const s = t.security;
  if (s.breachStage === 0) {
    s.breachKind = t.rng.int(breaches.length);
    s.records = Math.round(t.profile.size * t.rng.range(800, 12_000));
    s.incidentCounter++;
  }
  const stage = Math.min(s.breachStage++, stages.length - 1);
  const breach = breaches[s.breachKind] ?? breaches[0];
  return {
    tenant_id: t.profile.id,
    incident_id: `inc-${t.profile.id}-${String(s.incidentCounter).padStart(3, '0')}`,
    incident_type: breach.type,
    severity: 'critical',
    affects_customer_data: true,
    records_affected: s.records,
    status: stages[stage],
    description: breach.description[stage],
    tracking_date: t.iso,
  };
}
