import { isIsoDateTime, parseIsoDateTime } from '@pulse/events';
import { ValidationError } from '../errors.js';
import {
  subscriptionStatuses,
  type Subscription,
  type SubscriptionStatus,
} from '../storage/subscription-store.js';

/** Fields of a subscription as they arrive (JSON body or CSV row): strings or JSON values. */
export type SubscriptionInput = Partial<
  Record<
    'tenant_id' | 'status' | 'plan_name' | 'price_monthly' | 'current_period_start' | 'current_period_end',
    unknown
  >
>;

function time(field: string, value: unknown, problems: string[]): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' && isIsoDateTime(value)) return parseIsoDateTime(value);
  problems.push(`${field} must be an ISO 8601 date-time; received ${JSON.stringify(value)}`);
  return null;
}

/** Validates one subscription; every problem is listed, prefixed with `where` (e.g. "line 3"). */
export function parseSubscription(input: SubscriptionInput, where: string, now: number): Subscription {
  const problems: string[] = [];
  const tenantId = typeof input.tenant_id === 'string' ? input.tenant_id.trim() : '';
  if (!tenantId) problems.push('tenant_id is required');
  const status = typeof input.status === 'string' ? input.status.trim() : '';
  if (!(subscriptionStatuses as readonly string[]).includes(status))
    problems.push(
      `status must be one of ${subscriptionStatuses.join(' | ')}; received ${JSON.stringify(input.status ?? null)}`,
    );
  const planName = typeof input.plan_name === 'string' ? input.plan_name.trim() : '';
  if (!planName) problems.push('plan_name is required');
  const price =
    typeof input.price_monthly === 'number'
      ? input.price_monthly
      : typeof input.price_monthly === 'string' && input.price_monthly.trim() !== ''
        ? Number(input.price_monthly)
        : NaN;
  if (!Number.isFinite(price) || price < 0)
    problems.push(
      `price_monthly must be a number ≥ 0 (USD per month); received ${JSON.stringify(input.price_monthly ?? null)}`,
    );
  const start = time('current_period_start', input.current_period_start, problems);
  const end = time('current_period_end', input.current_period_end, problems);
  if (start !== null && end !== null && end <= start)
    problems.push('current_period_end must be after current_period_start');
  if (problems.length) throw new ValidationError(where, problems.join('; '));
  return {
    tenantId,
    status: status as SubscriptionStatus,
    planName,
    priceMonthly: price,
    currentPeriodStart: start,
    currentPeriodEnd: end,
    updatedAt: now,
  };
}
