import { Type, type Static } from '@sinclair/typebox';
import { Body, doc, errors, IdParams, IsoTime, List, literals, Nullable, text } from './common.js';

/** Scheduled executive reports: schedules, sends and their history. */

/** The sections a schedule gets when it names none, in their order. */
export const defaultReportSections = [
  'executive-summary',
  'performance-dashboard',
  'cost-optimization',
  'decisions',
  'deliverability',
  'costs-vs-budget',
  'medium-alerts',
] as const;
/** Insight sections, sent only when a schedule lists them. */
export const optionalReportSections = ['forecasts', 'impact', 'benchmarks'] as const;
export const reportSections = [...defaultReportSections, ...optionalReportSections] as const;
export type ReportSection = (typeof reportSections)[number];

export const reportFormats = ['html', 'pdf', 'csv'] as const;
export type ReportFormat = (typeof reportFormats)[number];

const Recipients = List(Type.String({ minLength: 3, description: 'An email address' }), {
  description: 'Email addresses; each copy is rendered with that recipient’s own scope',
});
const Sections = List(literals(reportSections), {
  description: `Sections in order (default ${defaultReportSections.join(', ')}; optional: ${optionalReportSections.join(', ')})`,
});
const Formats = List(literals(reportFormats), {
  description: 'html: the email body; pdf and csv: attachments (default all three)',
});
const Tenants = Nullable(
  List(Type.String({ minLength: 1 }), {
    description:
      'Tenants the report covers; recipients without a Pulse user see only these (null: every tenant for users, nothing for other addresses)',
  }),
);
const Cron = Type.String({ description: 'croner pattern, e.g. "0 8 * * MON"' });
const Timezone = Type.String({ description: 'IANA time zone, e.g. Europe/Berlin' });

export const ReportScheduleBody = Body({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  cron: Cron,
  timezone: Type.Optional(Timezone),
  recipients: Recipients,
  sections: Type.Optional(Sections),
  tenants: Type.Optional(Tenants),
  formats: Type.Optional(Formats),
});
export type ReportScheduleBody = Static<typeof ReportScheduleBody>;

export const ReportSchedulePatch = Body({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  cron: Type.Optional(Cron),
  timezone: Type.Optional(Timezone),
  recipients: Type.Optional(Recipients),
  sections: Type.Optional(Sections),
  tenants: Type.Optional(Tenants),
  formats: Type.Optional(Formats),
});
export type ReportSchedulePatch = Static<typeof ReportSchedulePatch>;

export const ReportScheduleView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  cron: Type.String(),
  timezone: Type.String(),
  recipients: List(Type.String()),
  sections: List(literals(reportSections)),
  tenants: Tenants,
  formats: List(literals(reportFormats)),
  owner: Type.String({ description: 'Who created it (user or API key id)' }),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  nextRun: Nullable(IsoTime),
});
export type ReportScheduleView = Static<typeof ReportScheduleView>;

export const RecipientOutcome = Type.Object({
  recipient: Type.String({ description: 'An email address, or "slack"' }),
  scope: Type.String({ description: 'The tenants this copy showed, in words' }),
  status: literals(
    ['pending', 'sent', 'dead', 'skipped'],
    'pending: queued or being retried; dead: gave up; skipped: nothing this recipient may see',
  ),
  attempts: Type.Integer({ minimum: 0 }),
  error: Nullable(Type.String()),
});
export type RecipientOutcome = Static<typeof RecipientOutcome>;

export const ReportRun = Type.Object({
  id: Type.String(),
  scheduleId: Type.String(),
  instant: IsoTime,
  trigger: literals(['schedule', 'catch-up', 'manual', 'missed']),
  period: Type.Object({ from: IsoTime, to: IsoTime }),
  generatedAt: IsoTime,
  recipients: List(RecipientOutcome),
});
export type ReportRun = Static<typeof ReportRun>;

const Params = IdParams('Report schedule id');

export const reportScheduleRoutes = {
  listReportSchedules: {
    ...doc('Every report schedule with its next run', 'reports:manage'),
    response: { 200: Type.Object({ schedules: List(ReportScheduleView) }), ...errors },
  },
  createReportSchedule: {
    ...doc('Create a report schedule; the caller becomes its owner', 'reports:manage'),
    body: ReportScheduleBody,
    response: { 201: ReportScheduleView, ...errors },
  },
  getReportSchedule: {
    ...doc('One report schedule', 'reports:manage'),
    params: Params,
    response: { 200: ReportScheduleView, ...errors },
  },
  patchReportSchedule: {
    ...doc('Change some fields of a report schedule', 'reports:manage'),
    params: Params,
    body: ReportSchedulePatch,
    response: { 200: ReportScheduleView, ...errors },
  },
  deleteReportSchedule: {
    ...doc('Delete a report schedule (its history stays)', 'reports:manage'),
    params: Params,
    response: { 200: Type.Object({ deleted: Type.String() }), ...errors },
  },
  sendReportSchedule: {
    ...doc('Render and send the report now to every recipient', 'reports:manage'),
    params: Params,
    response: { 202: ReportRun, ...errors },
  },
  reportScheduleHistory: {
    ...doc('Runs of a schedule, newest first, with the status of each recipient', 'reports:manage'),
    params: Params,
    querystring: Type.Object({ limit: Type.Optional(text('At most this many runs, 1..500 (default 50)')) }),
    response: { 200: Type.Object({ runs: List(ReportRun) }), ...errors },
  },
  previewReportSchedule: {
    ...doc('Render exactly what one recipient gets, without sending', 'reports:manage'),
    params: Params,
    querystring: Type.Object({
      as: text('The recipient’s email address'),
      format: text('html | pdf (default html)'),
    }),
    response: {
      200: {
        description: 'The rendered report: HTML (charts inline) or PDF',
        content: {
          'text/html': { schema: Type.String() },
          'application/pdf': { schema: Type.String({ format: 'binary' }) },
        },
      },
      ...errors,
    },
  },
} as const;
