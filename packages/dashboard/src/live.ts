import type { LiveMessage } from './types';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  /** A new connection is up (first or after a drop): refetch what may have been missed. */
  onCatchUp: (first: boolean) => void;
  onMessage: (message: LiveMessage) => void;
  onStatus: (status: LiveStatus) => void;
  /** Connections that failed in a row (never said hello): the session may have ended. */
  onFailures?: (count: number) => void;
}

const BASE_MS = 500;
const MAX_MS = 15_000;

/**
 * One WebSocket to /api/live. On a drop (network, server restart) it reconnects with exponential backoff
 * and full jitter; every new connection triggers a catch-up, and a gap in `seq` within one connection
 * does too. Nothing is polled: the page changes only when the server pushes.
 */
export function connectLive(handlers: LiveHandlers): () => void {
  let socket: WebSocket | null = null;
  let attempt = 0;
  let lastSeq = 0;
  let stopped = false;
  let connections = 0;
  let failures = 0;
  let timer: number | undefined;

  const schedule = () => {
    if (stopped) return;
    handlers.onStatus('reconnecting');
    const cap = Math.min(MAX_MS, BASE_MS * 2 ** attempt++);
    timer = window.setTimeout(open, Math.random() * cap);
  };

  function open() {
    if (stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
    const ws = new WebSocket(url);
    socket = ws;
    lastSeq = 0;
    let greeted = false;
    ws.onmessage = (event: MessageEvent<string>) => {
      let message: LiveMessage;
      try {
        message = JSON.parse(event.data) as LiveMessage;
      } catch {
        return;
      }
      if (message.type === 'hello') {
        attempt = 0;
        failures = 0;
        greeted = true;
        lastSeq = message.seq;
        handlers.onStatus('live');
        handlers.onCatchUp(connections++ === 0);
        return;
      }
      if (message.seq !== lastSeq + 1) handlers.onCatchUp(false);
      lastSeq = message.seq;
      handlers.onMessage(message);
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      if (!greeted && !stopped) handlers.onFailures?.(++failures);
      schedule();
    };
  }

  // A laptop waking up or a network coming back: try at once instead of waiting out the backoff.
  const online = () => {
    if (socket || stopped) return;
    window.clearTimeout(timer);
    attempt = 0;
    open();
  };
  window.addEventListener('online', online);
  handlers.onStatus('connecting');
  open();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    window.removeEventListener('online', online);
    socket?.close();
  };
}
