import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { AlertSettings } from '../settings.js';
import type { Notification, ReportNotification } from '../types.js';
import { digestHtml } from '../../report-schedules/medium-alerts.js';
import { DeliveryError, type Channel } from './channel.js';
import { alertFacts, digestByTenant, digestHeadline, digestLine, headline, severityMark } from './message.js';

const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const link = (url: string | null, label: string) =>
  url ? `<a href="${html(url)}">${html(label)}</a>` : html(label);

/** Subject, plain text and HTML of one notification. */
export function emailContent(n: Notification): { subject: string; text: string; html: string } {
  if (n.type === 'report') return { subject: n.subject, text: n.text, html: n.html ?? '' };
  if (n.type === 'digest') {
    const groups = digestByTenant(n);
    const subject = digestHeadline(n);
    const text = [
      subject,
      '',
      ...groups.flatMap((g) => [`${g.tenant}`, ...g.alerts.map((a) => `  - ${digestLine(a)}`), '']),
      ...(n.link ? [`Open Pulse: ${n.link}`] : []),
    ].join('\n');
    // The report template, with the medium-alerts section of the scheduled reports.
    return { subject, text, html: digestHtml(n) };
  }
  const subject = `${n.transition.kind === 'resolved' ? '✅' : severityMark[n.alert.severity]} ${headline(n)}`;
  const facts = alertFacts(n);
  const text = [headline(n), '', ...facts.map(([k, v]) => `${k}: ${v}`)].join('\n');
  const rows = facts
    .map(
      ([k, v]) =>
        `<tr><th align="left" valign="top">${html(k)}</th><td>${k === 'Link' ? link(v, v) : html(v)}</td></tr>`,
    )
    .join('');
  return {
    subject,
    text,
    html: `<!doctype html><html><body style="font-family:sans-serif"><h2>${html(headline(n))}</h2><table cellpadding="4">${rows}</table></body></html>`,
  };
}

/** A stored report attachment as nodemailer takes it; inline ones are referenced by the HTML as cid:. */
const attachmentOf = (a: ReportNotification['attachments'][number]) => ({
  filename: a.filename,
  contentType: a.contentType,
  content: Buffer.from(a.base64, 'base64'),
  ...(a.cid ? { cid: a.cid, contentDisposition: 'inline' as const } : {}),
});

/** Email over SMTP with nodemailer (PULSE_SMTP_URL, PULSE_ALERT_EMAIL_TO): one message per recipient. */
export function emailChannel(settings: AlertSettings): Channel {
  const { smtpUrl, to, from } = settings.email;
  let transport: Transporter | null = null;
  // nodemailer is loaded by the first message, not by every start.
  const transporter = async () => {
    transport ??= (await import('nodemailer')).createTransport(smtpUrl ?? '', { from });
    return transport;
  };
  return {
    kind: 'email',
    validateConfig: () => {
      if (smtpUrl && !to.length) return ['PULSE_SMTP_URL is set but PULSE_ALERT_EMAIL_TO lists no recipient'];
      if (!smtpUrl && to.length) return ['PULSE_ALERT_EMAIL_TO is set but PULSE_SMTP_URL is not'];
      return [];
    },
    targets: () => (smtpUrl ? to : []),
    async send(delivery) {
      if (!smtpUrl) throw new DeliveryError('email is not configured (PULSE_SMTP_URL)', true);
      const content = emailContent(delivery.payload);
      // The Message-ID follows from the idempotency key, so a resend after a crash is recognisably the same mail.
      const messageId = `<${createHash('sha256').update(delivery.id).digest('hex').slice(0, 32)}@pulse>`;
      const report = delivery.payload.type === 'report' ? delivery.payload : null;
      try {
        await (
          await transporter()
        ).sendMail({
          from: report?.from ?? from,
          to: delivery.target,
          subject: content.subject,
          text: content.text,
          ...(content.html ? { html: content.html } : {}),
          ...(report ? { attachments: report.attachments.map(attachmentOf) } : {}),
          messageId,
          headers: { 'X-Pulse-Idempotency-Key': delivery.id },
        });
      } catch (error) {
        const e = error as { responseCode?: number; message?: string };
        // 5xx SMTP replies are permanent (bad recipient, rejected); the rest (4xx, network) transient.
        throw new DeliveryError(`SMTP: ${e.message ?? String(error)}`, (e.responseCode ?? 0) >= 500);
      }
    },
    async close() {
      transport?.close();
      transport = null;
    },
  };
}
