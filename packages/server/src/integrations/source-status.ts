import type { SourceKind, SourceStatus } from '@pulse/api';

type Detail = SourceStatus['detail'];

/** One pulled source's row on the board: what it last did, and when it will try again. */
export class SourceHandle {
  private row: SourceStatus;

  constructor(kind: SourceKind, id: string, tenant: string | null) {
    this.row = {
      kind,
      id,
      tenant,
      state: 'never',
      lastSuccessAt: null,
      lastError: null,
      consecutiveFailures: 0,
      nextAttemptAt: null,
      detail: {},
    };
  }

  succeeded(at: number, detail: Detail = {}): void {
    this.row = {
      ...this.row,
      state: 'ok',
      lastSuccessAt: new Date(at).toISOString(),
      consecutiveFailures: 0,
      detail: { ...this.row.detail, ...detail },
    };
  }

  failed(at: number, message: string, detail: Detail = {}): void {
    this.row = {
      ...this.row,
      state: 'failing',
      lastError: { at: new Date(at).toISOString(), message },
      consecutiveFailures: this.row.consecutiveFailures + 1,
      detail: { ...this.row.detail, ...detail },
    };
  }

  /** Facts that are neither a success nor a failure (a lag, a count dead-lettered). */
  note(detail: Detail): void {
    this.row = { ...this.row, detail: { ...this.row.detail, ...detail } };
  }

  nextAttempt(at: number | null): void {
    this.row = { ...this.row, nextAttemptAt: at === null ? null : new Date(at).toISOString() };
  }

  view(): SourceStatus {
    return { ...this.row, detail: { ...this.row.detail } };
  }
}

/**
 * Every source Pulse pulls from or pushes to on its own schedule (relay, scrape targets, a VPS provider,
 * database views): one board, so `/api/integrations` and `pulse integrations` show them side by side.
 */
export class SourceStatusBoard {
  private readonly handles: SourceHandle[] = [];

  register(kind: SourceKind, id: string, tenant: string | null = null): SourceHandle {
    const handle = new SourceHandle(kind, id, tenant);
    this.handles.push(handle);
    return handle;
  }

  list(): SourceStatus[] {
    return this.handles.map((h) => h.view());
  }
}
