/** One stored batch row of the event bus (a process's accepted events, encoded by batch-codec.ts). */
export interface BusRow {
  id: number;
  origin: string;
  payload: string;
}

/** A dedicated connection following the bus's announcements. */
export interface BusListener {
  close(): Promise<void>;
}

/**
 * Where the event bus keeps batches and announces them to every process (storage/postgres/pg-event-bus.ts):
 * a table of rows with increasing ids, and a notification carrying each new row's id and origin.
 */
export interface BusChannel {
  /** Stores a payload and announces it; resolves with its id once committed. */
  publish(origin: string, payload: string): Promise<number>;
  /** The rows with these ids, other than `origin`'s, in id order. */
  rowsById(ids: readonly number[], origin: string): Promise<BusRow[]>;
  /**
   * Up to `limit` rows after `afterId`, other than `origin`'s, in id order, and the highest id the retention
   * has removed so far (rows at or below it may be gone).
   */
  rowsAfter(
    afterId: number,
    origin: string,
    limit: number,
  ): Promise<{ rows: BusRow[]; prunedThrough: number }>;
  /** The highest id stored so far (0 when none ever was). */
  lastId(): Promise<number>;
  /** Removes rows older than `keepMs`; resolves with how many. */
  prune(keepMs: number): Promise<number>;
  /** Opens a dedicated connection reporting each announced row; `onLost` is called once when it breaks. */
  listen(
    onAnnounced: (id: number, origin: string) => void,
    onLost: (error: Error) => void,
  ): Promise<BusListener>;
}

/** A dedicated connection holding (or trying to take) the one leadership lock of the processes. */
export interface LeaderLease {
  /** Takes the lock if no other session holds it; true when this connection holds it. */
  tryAcquire(): Promise<boolean>;
  /** Throws when the connection no longer works or no longer holds the lock. */
  confirm(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a new lease connection; `onLost` is called once if it breaks by itself. */
export type OpenLeaderLease = (onLost: (error: Error) => void) => Promise<LeaderLease>;

/** What changed in the shared state: small, it rides a notification (kind, the piece's id, a detail). */
export interface StateChange {
  kind: 'alert' | 'rules' | 'budgets' | 'silences' | 'schedule' | 'tenant-map' | 'events-deleted';
  id: string;
  /** For an alert: the transition that changed it (what its live delta shows). */
  transition?: string;
}

/** How processes tell each other that the shared state changed (storage/postgres/pg-state-changes.ts). */
export interface StateChannel {
  /** Tells every listening process, this one included (listeners skip their own origin). */
  announce(origin: string, change: StateChange): Promise<void>;
  /**
   * Opens a dedicated connection reporting each change; `onLost` is called once when it breaks,
   * `onMalformed` for a notification on the channel that is not a change.
   */
  listen(
    onChange: (origin: string, change: StateChange) => void,
    onLost: (error: Error) => void,
    onMalformed: (payload: string) => void,
  ): Promise<BusListener>;
}

/** A part of a process that keeps a copy of shared state in memory (the alert engine, report schedules). */
export interface StateOwner {
  kinds: readonly StateChange['kind'][];
  /** Reports each change this process committed, once committed. */
  onChange(listener: (change: StateChange) => void): () => void;
  /** Reloads what another process changed, from the store, without reporting it again. */
  apply(change: StateChange): Promise<void>;
  /** Reloads its whole copy from the store (changes may have been missed). */
  reloadAll(): Promise<void>;
}
