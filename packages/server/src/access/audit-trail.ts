import { AuditUnavailableError } from '../errors.js';
import type { AuditFilter, AuditLog } from '../storage/audit-log.js';
import type { AuditEntry, AuditRecord, VerifyReport } from './audit-chain.js';

/** Audit records this server could not write since it started: the trail lacks them. */
export interface FailedAuditWrites {
  count: number;
  /** ISO time and cause of the last one; null before any. */
  lastAt: string | null;
  lastError: string | null;
}

/** The chain's own verdict plus what the server knows the chain cannot show. */
export interface TrailReport extends VerifyReport {
  failedWrites: FailedAuditWrites;
}

export interface AuditTrail extends AuditLog {
  verify(expectHead?: { seq: number; hash: string }): Promise<TrailReport>;
  failedWrites(): FailedAuditWrites;
}

const causeOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

type Head = { seq: number; hash: string };

/**
 * The audit log as the server uses it. A record that cannot be written leaves no trace in the chain (it
 * was never sealed into it), so the server counts every failed write itself and `verify` reports the
 * trail as not intact while any happened since start. It also remembers the last record it wrote, so
 * `verify` finds a trail cut short after it (a chain walk alone cannot see a removed tail). Failures
 * surface as `AuditUnavailableError`, so a caller refuses the access it could not record (503
 * `audit_unavailable`).
 */
export function auditTrail(log: AuditLog, onFailure: () => void = () => {}): AuditTrail {
  const failed: FailedAuditWrites = { count: 0, lastAt: null, lastError: null };
  let lastWritten: Head | null = null;
  const unreadable = (error: unknown) =>
    new AuditUnavailableError(`the audit trail could not be read (${causeOf(error)})`, { cause: error });
  const walk = async (head: Head | undefined) => {
    try {
      return await log.verify(head);
    } catch (error) {
      throw unreadable(error);
    }
  };
  return {
    async append(entry: AuditEntry): Promise<AuditRecord> {
      try {
        const record = await log.append(entry);
        if (!lastWritten || record.seq > lastWritten.seq)
          lastWritten = { seq: record.seq, hash: record.hash };
        return record;
      } catch (error) {
        failed.count += 1;
        failed.lastAt = new Date().toISOString();
        failed.lastError = causeOf(error);
        onFailure();
        throw new AuditUnavailableError(
          `the audit record of ${entry.action} could not be written (${causeOf(error)}); the access is refused`,
          { cause: error },
        );
      }
    },
    async list(filter?: AuditFilter): Promise<AuditRecord[]> {
      try {
        return await log.list(filter);
      } catch (error) {
        throw unreadable(error);
      }
    },
    async verify(expectHead?: Head): Promise<TrailReport> {
      const written = lastWritten;
      let report: VerifyReport = await walk(expectHead ?? written ?? undefined);
      // a caller's older head checked, the chain must still reach the last record written since start
      if (report.ok && expectHead && written && written.seq > expectHead.seq) report = await walk(written);
      return { ...report, ok: report.ok && failed.count === 0, failedWrites: { ...failed } };
    },
    flush: () => log.flush(),
    failedWrites: () => ({ ...failed }),
  };
}
