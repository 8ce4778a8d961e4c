/** A batch PostHog refused for good (a 4xx other than 408, 413 or 429), kept to inspect and retry. */
export interface RelayDeadLetter {
  id: string;
  /** When the upstream first refused it, and last (a retry that failed again), epoch ms. */
  firstAt: number;
  lastAt: number;
  /** The upstream's status and its answer (what it said was wrong). */
  status: number;
  reason: string;
  count: number;
  /** How many times it was sent and refused. */
  attempts: number;
}

/** Dead letters with their events: each event as PostHog's batch JSON, ready to send again. */
export interface RelayDeadLetterStore {
  add(letter: RelayDeadLetter, events: readonly string[]): Promise<void>;
  list(): Promise<RelayDeadLetter[]>;
  events(id: string): Promise<string[] | null>;
  /** Records another refusal of a retried letter. */
  refusedAgain(id: string, at: number, status: number, reason: string): Promise<void>;
  remove(id: string): Promise<void>;
}
