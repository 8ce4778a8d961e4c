import type { LiveMessage } from './live-hub.js';

/** What the socket needs from `ws`: send text, report buffered bytes, close. */
export interface LiveSocket {
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Beyond this many unsent bytes a client is too slow: it is closed and catches up on reconnect. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Stamps each message of one connection with a strictly increasing `seq` (1 is the hello), so a client
 * can tell it missed nothing within a connection; across connections it catches up by refetching.
 */
export function createLiveConnection(socket: LiveSocket) {
  let seq = 0;
  let closed = false;
  const write = (message: Record<string, unknown>) => {
    if (closed) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      closed = true;
      socket.close(1013, 'too slow: reconnect and catch up');
      return;
    }
    socket.send(JSON.stringify({ seq: ++seq, ...message }));
  };
  return {
    hello(info: Record<string, unknown>) {
      write({ type: 'hello', ...info });
    },
    send(message: LiveMessage) {
      write(message);
    },
    close() {
      closed = true;
    },
  };
}
