import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface RecordedRequest {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  /** The body, gunzipped when sent with `content-encoding: gzip` (posthog-node's default), then parsed. */
  body: unknown;
}

export interface CaptureServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A stand-in for a capture API: records every request and answers as PostHog does, `200 {"status":"Ok"}`. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"Ok"}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      // posthog-node's fetch keeps connections alive; drop them so close() does not wait for their timeout.
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
