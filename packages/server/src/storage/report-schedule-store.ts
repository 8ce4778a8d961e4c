import type { ReportFormat, ReportSection } from '@pulse/api';

/** A report schedule as stored; times are epoch ms. */
export interface ReportScheduleRecord {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  recipients: readonly string[];
  sections: readonly ReportSection[];
  /** Tenants the owner shared; null = every tenant (for recipients who are users). */
  tenants: readonly string[] | null;
  formats: readonly ReportFormat[];
  /** Who created it and what they could see then (re-read at each run for users). */
  owner: { kind: 'user' | 'api_key' | 'project_token'; id: string; tenants: readonly string[] | 'all' };
  createdAt: number;
  updatedAt: number;
}

export type RunTrigger = 'schedule' | 'catch-up' | 'manual' | 'missed';

/** One recipient's copy of a run: its outbox row (null when skipped) and the scope it showed. */
export interface RunRecipient {
  recipient: string;
  scope: string;
  deliveryId: string | null;
  /** Why the recipient got nothing (skipped), else null. */
  skipped: string | null;
}

/** One generation of a schedule (or a run missed while Pulse was down). */
export interface ReportRunRecord {
  /** schedule id + the run instant: one run per scheduled instant. */
  id: string;
  scheduleId: string;
  instant: number;
  trigger: RunTrigger;
  period: { from: number; to: number };
  generatedAt: number;
  recipients: readonly RunRecipient[];
}

/** Report schedules and their run history, durably. */
export interface ReportScheduleStore {
  list(): Promise<ReportScheduleRecord[]>;
  get(id: string): Promise<ReportScheduleRecord | null>;
  /** Inserts or replaces by id. */
  put(schedule: ReportScheduleRecord): Promise<void>;
  remove(id: string): Promise<boolean>;
  /**
   * Claims the generation of run `runId` for the caller until `until` (epoch ms): true when no run with that
   * id is recorded and no other claim on it is live at `now`. Several processes arm the same schedules; the
   * one whose claim succeeds generates the run, and a claim left by a crashed process lapses at `until`.
   */
  claimRun(runId: string, now: number, until: number): Promise<boolean>;
  /** Records a run unless one with its id exists; returns whether it did. */
  insertRun(run: ReportRunRecord): Promise<boolean>;
  runs(scheduleId: string, limit: number): Promise<ReportRunRecord[]>;
  /** The newest run instant of a schedule (any trigger), null when it never ran. */
  lastInstant(scheduleId: string): Promise<number | null>;
}
