import type pg from 'pg';
import type { BusListener, StateChange, StateChannel } from '../../cluster/ports.js';
import { sql } from '../../sql.js';
import { query } from './pg-client.js';
import { listenOnChannel } from './pg-dedicated.js';

/** The notification channel; its payload is `{"o": origin, "c": change}` as JSON (a few hundred bytes). */
const CHANNEL = 'pulse_state_changes';

const kinds = new Set<string>([
  'alert',
  'rules',
  'budgets',
  'silences',
  'schedule',
  'tenant-map',
  'events-deleted',
]);

/** The change of a payload, or null when it is not one (another program notifying on the channel). */
function parsePayload(payload: string): { origin: string; change: StateChange } | null {
  try {
    const { o, c } = JSON.parse(payload) as { o?: unknown; c?: Partial<StateChange> };
    if (typeof o !== 'string' || !c || !kinds.has(String(c.kind)) || typeof c.id !== 'string') return null;
    const change: StateChange = { kind: c.kind as StateChange['kind'], id: c.id };
    if (typeof c.transition === 'string') change.transition = c.transition;
    return { origin: o, change };
  } catch {
    return null;
  }
}

/** State changes announced with PostgreSQL NOTIFY, after the change is committed, to every listening process. */
export class PgStateChannel implements StateChannel {
  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  async announce(origin: string, change: StateChange): Promise<void> {
    await query(this.pool, sql`SELECT pg_notify(${CHANNEL}, ${JSON.stringify({ o: origin, c: change })})`);
  }

  async listen(
    onChange: (origin: string, change: StateChange) => void,
    onLost: (error: Error) => void,
    onMalformed: (payload: string) => void,
  ): Promise<BusListener> {
    return listenOnChannel(
      this.url,
      CHANNEL,
      'state change',
      (payload) => {
        const parsed = parsePayload(payload);
        if (parsed) onChange(parsed.origin, parsed.change);
        else onMalformed(payload);
      },
      onLost,
    );
  }
}
