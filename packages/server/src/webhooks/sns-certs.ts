import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../errors.js';
import { OutboundError, type SafeFetch } from '../net/safe-fetch.js';
import { WebhookRefusal } from './provider.js';

/**
 * SNS signing certificates by URL: from the operator's directory (trusted as is, by file name), else the
 * cache in the data dir, else downloaded once over HTTPS from the (already validated) SNS host and cached.
 */
export class SnsCertificates {
  private readonly memory = new Map<string, X509Certificate>();

  constructor(
    private readonly options: { seedDir: string | undefined; cacheDir: string; fetch: SafeFetch },
  ) {}

  async get(url: URL): Promise<X509Certificate> {
    const name = url.pathname.slice(1);
    const key = `${url.hostname}/${name}`;
    const known = this.memory.get(key);
    if (known) return known;
    const seeded = this.options.seedDir ? join(this.options.seedDir, name) : null;
    const cached = join(this.options.cacheDir, url.hostname, name);
    const pem =
      seeded && existsSync(seeded)
        ? readFileSync(seeded, 'utf8')
        : existsSync(cached)
          ? readFileSync(cached, 'utf8')
          : await this.download(url, cached);
    const cert = parse(pem, url.href);
    this.memory.set(key, cert);
    return cert;
  }

  private async download(url: URL, path: string): Promise<string> {
    let response;
    try {
      response = await this.options.fetch({ url: url.href });
    } catch (error) {
      if (error instanceof OutboundError && (error.kind === 'blocked' || error.kind === 'invalid_url'))
        throw new WebhookRefusal('untrusted_cert', `${url.href}: ${error.message}`);
      // SNS retries for an hour: a network failure is worth its retry.
      throw new UnavailableError(`cannot download the SNS certificate ${url.href}: ${String(error)}`, 30);
    }
    if (response.status !== 200)
      throw new WebhookRefusal('untrusted_cert', `${url.href} answered ${response.status}`);
    parse(response.body, url.href);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(`${path}.tmp`, response.body);
    renameSync(`${path}.tmp`, path);
    return response.body;
  }
}

function parse(pem: string, source: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new WebhookRefusal('untrusted_cert', `${source} is not a PEM certificate`);
  }
}
