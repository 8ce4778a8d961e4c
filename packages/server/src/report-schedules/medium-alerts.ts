import { digestByTenant, digestHeadline } from '../alerts/channels/message.js';
import { toAlertView } from '../alerts/present.js';
import type { AlertView, Notification } from '../alerts/types.js';
import { money } from '@pulse/events/format';
import { renderHtml } from './render-html.js';
import { col, type SectionContent, type SectionDefinition } from './section-types.js';

type DigestNotification = Extract<Notification, { type: 'digest' }>;

const TOP = 10;

/** Medium alerts as a report section: $ at stake per tenant, and every alert, largest first. */
export function mediumAlertsContent(alerts: readonly AlertView[]): SectionContent {
  const groups = digestByTenant({ alerts: [...alerts] } as DigestNotification);
  return {
    id: 'medium-alerts',
    title: 'Medium alerts',
    note: 'Medium alerts seen in the period (they are not pushed one by one): each with its count, the dollars at stake and where it stands now.',
    metrics: [],
    charts: [
      {
        id: 'medium-alerts-at-stake',
        title: `At stake in medium alerts, top ${TOP} tenants`,
        format: money,
        items: groups.slice(0, TOP).map((g) => ({ label: g.tenant, value: g.total })),
      },
    ],
    tables: [
      {
        name: 'medium-alerts',
        title: 'Medium alerts',
        columns: [
          col('tenant_id', 'Tenant', 'text'),
          col('title', 'Alert', 'text'),
          col('count', 'Count', 'count'),
          col('amount', 'At stake', 'money'),
          col('state', 'State', 'text'),
          col('last_seen', 'Last seen', 'time'),
        ],
        rows: groups.flatMap((g) =>
          g.alerts.map((a) => ({
            tenant_id: a.tenant_id,
            title: a.title,
            count: a.count,
            amount: a.amount,
            state: a.state,
            last_seen: a.last_seen,
          })),
        ),
      },
    ],
  };
}

export const mediumAlerts: SectionDefinition = {
  id: 'medium-alerts',
  title: 'Medium alerts',
  async build({ alerts, tenants, period, publicUrl }) {
    const found = await alerts({
      severities: ['medium'],
      from: period.from,
      to: period.to,
      ...(tenants === 'all' ? {} : { tenants }),
      limit: 10_000,
    });
    return mediumAlertsContent(
      found
        .filter((a) => !a.backfill)
        .sort((a, b) => (b.amount ?? 0) - (a.amount ?? 0) || b.lastSeen - a.lastSeen)
        .map((a) => toAlertView(a, publicUrl)),
    );
  },
};

/**
 * The weekly digest's email body: the report template with the medium-alerts section (tables only: the
 * digest goes to the configured alert recipients, who see every tenant).
 */
export function digestHtml(n: DigestNotification): string {
  return renderHtml(
    {
      title: digestHeadline(n),
      periodText: `${n.period.from.slice(0, 16).replace('T', ' ')} – ${n.period.to.slice(0, 16).replace('T', ' ')} UTC`,
      scopeText: 'All tenants',
      generatedAt: Date.parse(n.period.to),
      sections: [{ ...mediumAlertsContent(n.alerts), charts: [] }],
      charts: new Map(),
      link: n.link,
    },
    'cid',
  );
}
