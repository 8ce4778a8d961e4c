import pg from 'pg';
import type { BusListener } from '../../cluster/ports.js';
import { ident, sql } from '../../sql.js';
import { query } from './pg-client.js';

/** Client settings of a dedicated connection: a vanished peer is noticed by TCP keepalives, not hours later. */
const dedicatedClientOptions = (url: string): pg.ClientConfig => ({
  connectionString: url,
  application_name: 'pulse-cluster',
  keepAlive: true,
  keepAliveInitialDelayMillis: 5_000,
  query_timeout: 10_000,
});

/**
 * A connection of its own (a listener, a lock's session), set up by `setup`; `onLost` is called once if it
 * breaks by itself (an error, the server ending it), never after `close`.
 */
export async function openDedicatedClient(
  url: string,
  what: string,
  onLost: (error: Error) => void,
  setup: (client: pg.Client) => Promise<void>,
): Promise<{ client: pg.Client; close: () => Promise<void> }> {
  const client = new pg.Client(dedicatedClientOptions(url));
  let lost = false;
  const lose = (error: Error) => {
    if (lost) return;
    lost = true;
    onLost(error);
  };
  client.on('error', lose);
  client.on('end', () => lose(new Error(`the ${what} connection ended`)));
  const close = async () => {
    lost = true;
    await client.end().catch(() => undefined);
  };
  try {
    await client.connect();
    await setup(client);
  } catch (error) {
    await close();
    throw error;
  }
  return { client, close };
}

/** Listens on a notification channel on a connection of its own, handing each non-empty payload on. */
export async function listenOnChannel(
  url: string,
  channel: string,
  what: string,
  onPayload: (payload: string) => void,
  onLost: (error: Error) => void,
): Promise<BusListener> {
  const { close } = await openDedicatedClient(url, what, onLost, async (client) => {
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload) onPayload(message.payload);
    });
    await query(client, sql`LISTEN ${ident(channel)}`);
  });
  return { close };
}
