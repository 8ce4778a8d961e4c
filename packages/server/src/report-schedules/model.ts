import { Cron } from 'croner';
import {
  reportFormats,
  defaultReportSections,
  reportSections,
  type ReportFormat,
  type ReportSchedulePatch,
  type ReportScheduleBody,
  type ReportSection,
} from '@pulse/api';
import { ValidationError } from '../errors.js';
import type { ReportScheduleRecord } from '../storage/report-schedule-store.js';

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const MAX_RECIPIENTS = 200;

/** A croner job for a pattern in a zone, paused: for next/previous instants. Bad input is a clear 400. */
export function cronOf(cron: string, timezone: string): Cron {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ValidationError(
      'timezone',
      `${JSON.stringify(timezone)} is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`,
    );
  }
  let job: Cron;
  try {
    job = new Cron(cron, { timezone, paused: true });
  } catch (error) {
    throw new ValidationError(
      'cron',
      `${JSON.stringify(cron)} is not a cron pattern: ${(error as Error).message} (e.g. "0 8 * * MON"; first weekday of the month: "0 8 1W * *")`,
    );
  }
  if (!job.nextRun(new Date(0)))
    throw new ValidationError('cron', `${JSON.stringify(cron)} never fires (check day and month)`);
  return job;
}

/**
 * The period a run reports on: from the schedule's fire before `instant`'s to `instant`'s own fire (the
 * latest fire at or before `instant`). A weekly schedule reports the week, a monthly one the month —
 * whatever the time zone's offset did in between.
 */
export function periodOf(cron: Cron, instant: number): { from: number; to: number } {
  const at = new Date(instant + 1);
  const [to, from] = cron.previousRuns(2, at);
  if (!to || !from) throw new ValidationError('cron', 'has no earlier fire to report from');
  return { from: from.getTime(), to: to.getTime() };
}

function unique<T extends string>(field: string, items: readonly T[], allowed: readonly T[]): T[] {
  const bad = items.find((i) => !allowed.includes(i));
  if (bad !== undefined)
    throw new ValidationError(field, `names an unknown entry "${bad}"; allowed: ${allowed.join(', ')}`);
  if (!items.length) throw new ValidationError(field, 'must name at least one entry');
  return [...new Set(items)];
}

function recipientsOf(list: readonly string[]): string[] {
  const cleaned = [...new Set(list.map((r) => r.trim().toLowerCase()))];
  const bad = cleaned.findIndex((r) => !EMAIL.test(r));
  if (bad >= 0)
    throw new ValidationError(`recipients[${bad}]`, `${JSON.stringify(list[bad])} is not an email address`);
  if (!cleaned.length) throw new ValidationError('recipients', 'must list at least one email address');
  if (cleaned.length > MAX_RECIPIENTS)
    throw new ValidationError('recipients', `lists more than ${MAX_RECIPIENTS} addresses`);
  return cleaned;
}

function tenantsOf(list: readonly string[] | null | undefined): string[] | null {
  if (list === null || list === undefined) return null;
  const cleaned = [...new Set(list.map((t) => t.trim()))];
  if (cleaned.some((t) => t === '')) throw new ValidationError('tenants', 'must not contain an empty id');
  return cleaned;
}

type Fields = Pick<
  ReportScheduleRecord,
  'name' | 'cron' | 'timezone' | 'recipients' | 'sections' | 'tenants' | 'formats'
>;

/** A new schedule's fields from a request, checked, with the defaults filled in. */
export function fieldsOf(body: ReportScheduleBody): Fields {
  const timezone = body.timezone ?? 'UTC';
  cronOf(body.cron, timezone);
  return {
    name: body.name.trim(),
    cron: body.cron,
    timezone,
    recipients: recipientsOf(body.recipients),
    sections: unique<ReportSection>('sections', body.sections ?? defaultReportSections, reportSections),
    tenants: tenantsOf(body.tenants),
    formats: unique<ReportFormat>('formats', body.formats ?? reportFormats, reportFormats),
  };
}

/** A schedule's fields after a patch: the fields it names replace the stored ones, checked as on create. */
export function patchedFields(current: ReportScheduleRecord, patch: ReportSchedulePatch): Fields {
  return fieldsOf({
    name: patch.name ?? current.name,
    cron: patch.cron ?? current.cron,
    timezone: patch.timezone ?? current.timezone,
    recipients: patch.recipients ?? current.recipients,
    sections: patch.sections ?? current.sections,
    tenants: patch.tenants === undefined ? current.tenants : patch.tenants,
    formats: patch.formats ?? current.formats,
  });
}
