import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { EmailWindow } from '../storage/webhook-store.js';
import { derivedUuid } from './derived-uuid.js';
import type { EmailOutcome } from './provider.js';

export const riskLevels = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof riskLevels)[number];

/** A window closes early only with this many emails: one bounce out of three is noise, not a trend. */
export const EARLY_CLOSE_MIN_EMAILS = 20;
/** A window closes early when its risk first reaches this level (or a higher one) within its slot. */
const EARLY_CLOSE_RISK: RiskLevel = 'high';

export interface WindowNumbers {
  emailCount: number;
  bounceRate: number | null;
  spamRate: number | null;
  outcome: 'delivered' | 'bounced' | 'deferred' | 'complained' | 'mixed' | null;
  risk: RiskLevel;
  actions: string[];
}

/**
 * The rules, in one place. Emails are final outcomes: delivered + bounced (hard and soft); deferrals are
 * retries still in flight and complaints concern mail already delivered, so neither adds to email_count.
 * bounce_rate = bounced / email_count; spam_rate = complaints / email_count.
 */
export function numbersOf(w: EmailWindow): WindowNumbers {
  const bounced = w.hardBounced + w.softBounced;
  const emailCount = w.delivered + bounced;
  const bounceRate = emailCount ? bounced / emailCount : null;
  const spamRate = emailCount ? w.complained / emailCount : null;
  const kinds = [
    ['delivered', w.delivered],
    ['bounced', bounced],
    ['deferred', w.deferred],
    ['complained', w.complained],
  ].filter(([, n]) => (n as number) > 0);
  const outcome =
    kinds.length === 0 ? null : kinds.length === 1 ? (kinds[0]?.[0] as WindowNumbers['outcome']) : 'mixed';
  const b = bounceRate ?? 0;
  const s = spamRate ?? 0;
  // Mailbox providers' published lines: spam above 0.1 % hurts, above 0.3 % gets mail refused (Gmail, Yahoo).
  const risk: RiskLevel =
    b > 0.15 || s > 0.005
      ? 'critical'
      : b > 0.08 || s > 0.003
        ? 'high'
        : b > 0.05 || s > 0.001
          ? 'medium'
          : 'low';
  const actions: string[] = [];
  if (w.hardBounced && b > 0.05)
    actions.push('Remove hard-bounced addresses and check how they were collected');
  if (w.softBounced + w.deferred > w.delivered / 10 && w.softBounced + w.deferred > 0)
    actions.push('Check blocks and throttling at the receiving domains (soft bounces, deferrals)');
  if (s > 0.001) actions.push('Review what recipients complained about and make unsubscribing easy');
  return { emailCount, bounceRate, spamRate, outcome, risk, actions };
}

const rank = (risk: RiskLevel) => riskLevels.indexOf(risk) + 1;

/** Whether an open window should be reported now, before its slot ends: its risk rose to high or more. */
export function closesEarly(w: EmailWindow): boolean {
  const n = numbersOf(w);
  return (
    n.emailCount >= EARLY_CLOSE_MIN_EMAILS &&
    rank(n.risk) >= rank(EARLY_CLOSE_RISK) &&
    rank(n.risk) > w.reportedRisk
  );
}

/** A zero-count window for one tenant, provider and domain in the slot holding `at`. */
export function windowFor(
  tenantId: string,
  provider: string,
  sendingDomain: string | null,
  at: number,
  windowMs: number,
): EmailWindow {
  return {
    tenantId,
    provider,
    sendingDomain: sendingDomain ?? '',
    start: Math.floor(at / windowMs) * windowMs,
    delivered: 0,
    hardBounced: 0,
    softBounced: 0,
    deferred: 0,
    complained: 0,
    reportedRisk: 0,
  };
}

const field: Record<EmailOutcome, 'delivered' | 'hardBounced' | 'softBounced' | 'deferred' | 'complained'> = {
  delivered: 'delivered',
  hard_bounce: 'hardBounced',
  soft_bounce: 'softBounced',
  deferred: 'deferred',
  complained: 'complained',
};

export function count(w: EmailWindow, outcome: EmailOutcome, recipients: number): void {
  w[field[outcome]] += recipients;
}

/**
 * The email_deliverability_event reporting a window's counts. Its uuid names the window and the moment
 * it was reported (the slot's end, or the risk level that closed it early), so a report repeated after a
 * crash is the same event and deduplicated.
 */
export function deliverabilityEvent(
  w: EmailWindow,
  closed: { at: number; early: boolean },
  windowMs: number,
): CapturedEvent | null {
  const n = numbersOf(w);
  if (n.outcome === null) return null;
  const end = w.start + windowMs;
  const key = `${w.tenantId}\u0000${w.provider}\u0000${w.sendingDomain}\u0000${w.start}`;
  const uuid = derivedUuid(`deliverability:${key}:${closed.early ? `early-${n.risk}` : 'end'}`);
  const provider = ['sendgrid', 'mailgun', 'ses'].includes(w.provider) ? w.provider : 'other';
  return {
    uuid,
    event: 'email_deliverability_event',
    distinctId: w.tenantId,
    timestamp: closed.at,
    properties: {
      tenant_id: w.tenantId,
      tracking_date: new Date(closed.at).toISOString(),
      email_count: n.emailCount,
      delivery_outcome: n.outcome,
      ...(n.bounceRate === null ? {} : { bounce_rate: n.bounceRate }),
      ...(n.spamRate === null ? {} : { spam_rate: n.spamRate }),
      provider,
      ...(w.sendingDomain ? { sending_domain: w.sendingDomain } : {}),
      risk_level: n.risk,
      actions_required: n.actions,
      requires_immediate_attention: n.risk === 'critical',
      delivered: w.delivered,
      hard_bounces: w.hardBounced,
      soft_bounces: w.softBounced,
      deferred: w.deferred,
      complaints: w.complained,
      window_start: new Date(w.start).toISOString(),
      window_end: new Date(Math.min(end, closed.at)).toISOString(),
      closed_early: closed.early,
    },
  };
}

export const riskRank = rank;
