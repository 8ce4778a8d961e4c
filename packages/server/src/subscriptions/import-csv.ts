import { parse } from 'csv-parse/sync';
import { ValidationError } from '../errors.js';
import type { Subscription } from '../storage/subscription-store.js';
import { parseSubscription } from './parse-subscription.js';

const required = ['tenant_id', 'status', 'plan_name', 'price_monthly'];

/**
 * Parses a subscriptions CSV (header row; subscription columns). All or nothing: any bad row fails the
 * import with every problem listed by line, so a half-applied file never reaches the store.
 */
export function parseSubscriptionsCsv(text: string, now: number): Subscription[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
    });
  } catch (error) {
    throw new ValidationError('csv', (error as Error).message);
  }
  const header = records[0] ? Object.keys(records[0]) : [];
  const missing = required.filter((c) => !header.includes(c));
  if (records.length && missing.length)
    throw new ValidationError(
      'csv',
      `header lacks column(s) ${missing.join(', ')}; expected ${[...required, 'current_period_start', 'current_period_end'].join(',')}`,
    );
  const problems: string[] = [];
  const parsed: Subscription[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, i) => {
    const line = i + 2; // line 1 is the header
    try {
      const subscription = parseSubscription(record, `line ${line}:`, now);
      const earlier = seen.get(subscription.tenantId);
      if (earlier !== undefined)
        problems.push(`line ${line} tenant_id ${subscription.tenantId} repeats line ${earlier}`);
      seen.set(subscription.tenantId, line);
      parsed.push(subscription);
    } catch (error) {
      problems.push((error as Error).message);
    }
  });
  if (problems.length)
    throw new ValidationError(
      'csv',
      `${problems.length} bad row(s), nothing imported: ${problems.join(' | ')}`,
    );
  return parsed;
}
