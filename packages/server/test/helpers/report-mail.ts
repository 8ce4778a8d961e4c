import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { temporaryDirectory } from './temp-dir.js';

export interface ReceivedMail {
  to: string[];
  raw: string;
  parsed: Email;
}

/**
 * A real SMTP server on 127.0.0.1 that keeps each message, parsed. `refuse(n)` answers the next n RCPT TO with
 * a transient 451 (the sender must retry). `next(address)` resolves with the next message to that address.
 */
export async function startSmtpReceiver() {
  const mails: ReceivedMail[] = [];
  const waiting: { to: string; resolve: (m: ReceivedMail) => void }[] = [];
  let refusals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 50 * 1024 * 1024,
    onRcptTo(_address: SMTPServerAddress, _session, callback) {
      if (refusals > 0) {
        refusals -= 1;
        const error = new Error('mailbox busy, try again later') as Error & { responseCode: number };
        error.responseCode = 451;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const to = session.envelope.rcptTo.map((r) => r.address);
        void PostalMime.parse(raw).then((parsed) => {
          const mail = { to, raw, parsed };
          mails.push(mail);
          for (const w of waiting.splice(0)) {
            if (to.includes(w.to)) w.resolve(mail);
            else waiting.push(w);
          }
          callback();
        });
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    refuse(n: number) {
      refusals = n;
    },
    next(to: string): Promise<ReceivedMail> {
      return new Promise((resolve) => waiting.push({ to, resolve }));
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The text of a PDF, by poppler's pdftotext (Debian package poppler-utils). */
export function pdfText(pdf: Uint8Array | ArrayBuffer | string): string {
  if (!existsSync('/usr/bin/pdftotext'))
    throw new Error('the report tests read PDFs with pdftotext: apt-get install -y poppler-utils');
  const dir = temporaryDirectory('pulse-pdf-');
  const file = join(dir, 'report.pdf');
  writeFileSync(file, typeof pdf === 'string' ? pdf : Buffer.from(pdf as ArrayBuffer));
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}
