import type { SafeFetch } from '../../net/safe-fetch.js';
import { formatWhen } from '../format.js';
import type { AlertSettings } from '../settings.js';
import type { Notification } from '../types.js';
import { checkHttpAnswer, DeliveryError, type Channel } from './channel.js';
import { alertFacts, amountText, digestByTenant, digestHeadline, headline, severityMark } from './message.js';

/** Slack mrkdwn needs &, < and > escaped (https://api.slack.com/reference/surfaces/formatting#escaping). */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

type Block = Record<string, unknown>;

/** A Block Kit message: header, the facts as fields, why, and a button to the alert. */
export function slackMessage(n: Notification): { text: string; blocks: Block[] } {
  if (n.type === 'report')
    return {
      text: n.subject,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: clip(n.subject, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: clip(esc(n.text), 3000) } },
        ...(n.link
          ? [
              {
                type: 'actions',
                elements: [
                  { type: 'button', text: { type: 'plain_text', text: 'Open in Pulse' }, url: n.link },
                ],
              },
            ]
          : []),
      ],
    };
  if (n.type === 'digest') {
    const blocks: Block[] = [
      { type: 'header', text: { type: 'plain_text', text: clip(digestHeadline(n), 150) } },
    ];
    for (const group of digestByTenant(n).slice(0, 20)) {
      const lines = group.alerts
        .slice(0, 10)
        .map(
          (a) =>
            `• ${a.link ? `<${a.link}|${esc(a.title)}>` : esc(a.title)} — ${a.count}× — ${amountText(a)}`,
        );
      if (group.alerts.length > 10) lines.push(`…and ${group.alerts.length - 10} more`);
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: clip(`*${esc(group.tenant)}*\n${lines.join('\n')}`, 3000) },
      });
    }
    if (n.link)
      blocks.push({
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open Pulse' }, url: n.link }],
      });
    return { text: digestHeadline(n), blocks };
  }
  const a = n.alert;
  const facts = new Map(alertFacts(n));
  const resolved = n.transition.kind === 'resolved';
  const mark = resolved ? '✅' : n.transition.kind === 'acknowledged' ? '👀' : severityMark[a.severity];
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${mark} ${headline(n)}`, 150) } },
    {
      type: 'section',
      fields: ['Tenant', 'Amount', 'Severity', 'State'].map((name) => ({
        type: 'mrkdwn',
        text: `*${name}*\n${esc(facts.get(name) ?? '—')}`,
      })),
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Why*\n${esc(a.summary)}`, 3000) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(
            esc(
              [
                `${a.rule_name} (${a.rule})`,
                `${a.count}× since ${formatWhen(Date.parse(a.first_seen))}`,
                ...(n.transition.kind === 'opened' || n.transition.kind === 'refired'
                  ? []
                  : [
                      `${n.transition.kind} by ${n.transition.actor}${n.transition.comment ? `: ${n.transition.comment}` : ''}`,
                    ]),
              ].join(' · '),
            ),
            3000,
          ),
        },
      ],
    },
  ];
  if (a.link)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Pulse' }, url: a.link }],
    });
  return { text: `${headline(n)} — ${amountText(a)}`, blocks };
}

/** Slack incoming webhook (PULSE_SLACK_WEBHOOK_URL). */
export function slackChannel(settings: AlertSettings, fetch: SafeFetch): Channel {
  const url = settings.slack.webhookUrl;
  return {
    kind: 'slack',
    validateConfig: () =>
      url && !/^https?:\/\//.test(url) ? ['PULSE_SLACK_WEBHOOK_URL must be an http(s) URL'] : [],
    targets: () => (url ? [''] : []),
    async send(delivery) {
      if (!url) throw new DeliveryError('Slack is not configured (PULSE_SLACK_WEBHOOK_URL)', true);
      const response = await fetch({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pulse-idempotency-key': delivery.id },
        body: JSON.stringify(slackMessage(delivery.payload)),
      });
      checkHttpAnswer(response, 'Slack');
    },
  };
}
