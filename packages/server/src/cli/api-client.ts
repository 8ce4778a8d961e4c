import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_KEY_FILE } from '../access/admin-key.js';
import { loadConfig, serverUrl, type FullConfig } from '../config/index.js';
import { readServerFile } from '../server-file.js';

export interface ClientOptions {
  url?: string;
  key?: string;
  config?: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Talks to a running Pulse server: the embedded store allows one writer process. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly key: string | undefined,
  ) {}

  static from(
    options: ClientOptions,
    config: FullConfig = loadConfig(options.config ? { file: options.config } : {}),
  ): ApiClient {
    const keyFile = join(config.dataDir, ADMIN_KEY_FILE);
    const key =
      options.key ??
      config.adminKey ??
      (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
    // An explicit --url or configured url wins; else the server that holds the data dir said where it is.
    const url = options.url ?? config.url ?? readServerFile(config.dataDir)?.url ?? serverUrl(config);
    return new ApiClient(url.replace(/\/$/, ''), key);
  }

  /** Whether a Pulse answers at baseUrl (then it holds the data dir, and writes go through it). */
  async answers(): Promise<boolean> {
    try {
      return (await fetch(`${this.baseUrl}/healthz`)).ok;
    } catch {
      return false;
    }
  }

  /** A JSON API call; a string body is sent as is with `contentType` (e.g. a CSV import). */
  async request<T>(
    method: Method,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const text = await this.text(method, path, body, contentType);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The raw response text of a call (CSV exports), after checking its status. */
  async text(
    method: Method,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<string> {
    return (await this.call(method, path, body, contentType)).text();
  }

  /** The response bytes of a GET (a PDF), after checking its status. */
  async bytes(path: string): Promise<Buffer> {
    return Buffer.from(await (await this.call('GET', path, undefined, 'application/json')).arrayBuffer());
  }

  private async call(method: Method, path: string, body: unknown, contentType: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(this.key ? { authorization: `Bearer ${this.key}` } : {}),
          ...(body !== undefined ? { 'content-type': contentType } : {}),
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new Error(
        `no Pulse server answering at ${this.baseUrl} (${cause}); start one with \`pulse serve\` or pass --url`,
        { cause: error },
      );
    }
    if (!response.ok) {
      const text = await response.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new Error(`${method} ${path} failed with ${response.status}: ${message}`);
    }
    return response;
  }
}

/** Options every verb that calls the server takes. */
export function withClientOptions<T extends { option: (flags: string, description: string) => T }>(
  command: T,
): T {
  return command
    .option(
      '--url <url>',
      'Pulse server URL (default: the server running on the data dir, else http://PULSE_HOST:PULSE_PORT)',
    )
    .option('--key <key>', 'API key (default PULSE_ADMIN_KEY or the admin key in the data dir)');
}
