import WebSocket from 'ws';

export interface LiveMessage {
  seq: number;
  type: string;
  [key: string]: unknown;
}

export interface LiveClient {
  ws: WebSocket;
  /** Every message received, in order. */
  messages: LiveMessage[];
  /** The first message (received or to come) that matches. */
  until(match: (m: LiveMessage) => boolean, timeoutMs?: number): Promise<LiveMessage>;
  /** Resolves with the close code and reason once the socket is closed (by either side). */
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens /api/live with these headers and records every message; resolves once the upgrade is accepted. */
export async function connectLive(url: string, headers: Record<string, string>): Promise<LiveClient> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/live`, { headers });
  const messages: LiveMessage[] = [];
  const waiters: { match: (m: LiveMessage) => boolean; resolve: (m: LiveMessage) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as LiveMessage;
    messages.push(message);
    for (const w of [...waiters])
      if (w.match(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const until = (match: (m: LiveMessage) => boolean, timeoutMs = 5_000) => {
    const found = messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise<LiveMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message in ${timeoutMs} ms`)), timeoutMs);
      waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  };
  return { ws, messages, until, closed };
}
