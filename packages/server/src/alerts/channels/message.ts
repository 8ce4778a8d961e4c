import { formatUsd, formatWhen } from '../format.js';
import type { AlertView, Notification, Severity, TransitionKind } from '../types.js';

export const severityMark: Record<Severity, string> = { critical: '🔴', high: '🟠', medium: '🟡' };

const verb: Record<TransitionKind, string> = {
  opened: '',
  refired: 'Firing again',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

type AlertNotification = Extract<Notification, { type: 'alert' }>;
type DigestNotification = Extract<Notification, { type: 'digest' }>;

/** `[CRITICAL] Negative revenue impact over $10,000: $12,500 at acme (payment_failure)`; titles name the tenant. */
export function headline(n: AlertNotification): string {
  const prefix = verb[n.transition.kind] ? `${verb[n.transition.kind]}: ` : '';
  return `${prefix}[${n.alert.severity.toUpperCase()}] ${n.alert.title}`;
}

export const amountText = (a: AlertView): string => (a.amount === null ? '—' : formatUsd(a.amount));

/** What, tenant, amount, why, when, who: the facts every channel shows for one alert transition. */
export function alertFacts(n: AlertNotification): [string, string][] {
  const a = n.alert;
  const facts: [string, string][] = [
    ['Tenant', a.tenant_id],
    ['Amount', amountText(a)],
    ['Severity', a.severity],
    ['Rule', `${a.rule_name} (${a.rule})`],
    ['Why', a.summary],
    [
      'Occurrences',
      `${a.count} (first ${formatWhen(Date.parse(a.first_seen))}, last ${formatWhen(Date.parse(a.last_seen))})`,
    ],
    ['State', a.state],
  ];
  if (n.transition.kind !== 'opened' && n.transition.kind !== 'refired')
    facts.push([
      verb[n.transition.kind],
      `by ${n.transition.actor}${n.transition.comment ? `: ${n.transition.comment}` : ''}`,
    ]);
  if (a.link) facts.push(['Link', a.link]);
  return facts;
}

export function digestHeadline(n: DigestNotification): string {
  return `Pulse weekly digest: ${n.alerts.length} medium alert${n.alerts.length === 1 ? '' : 's'} (${n.period.from.slice(0, 10)} – ${n.period.to.slice(0, 10)})`;
}

/** The digest's alerts grouped by tenant, tenants ordered by $ at stake. */
export function digestByTenant(
  n: DigestNotification,
): { tenant: string; total: number; alerts: AlertView[] }[] {
  const groups = new Map<string, AlertView[]>();
  for (const a of n.alerts) groups.set(a.tenant_id, [...(groups.get(a.tenant_id) ?? []), a]);
  return [...groups]
    .map(([tenant, alerts]) => ({ tenant, alerts, total: alerts.reduce((s, a) => s + (a.amount ?? 0), 0) }))
    .sort((x, y) => y.total - x.total || x.tenant.localeCompare(y.tenant));
}

export const digestLine = (a: AlertView): string =>
  `${a.title} — ${a.count}× — ${amountText(a)} — ${a.state}${a.link ? ` — ${a.link}` : ''}`;
