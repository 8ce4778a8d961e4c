import { LogWriter, type LogWrites } from '../../src/ingestion/log-writer.js';

/** A write of the ingest log held at its file boundary until the test lets it through or fails it. */
export interface HeldWrite {
  pass: () => void;
  /** As a full disk does: part of the record reaches the file, then the write fails with ENOSPC. */
  failDiskFull: () => void;
}

/**
 * The ingest log's real writer with a gate in front: a write the test asked for (`nextWrite`, or every
 * write while `onWrite` is set) is held until the test decides; the others go straight through.
 */
export class GatedLogWriter implements LogWrites {
  private readonly real = new LogWriter();
  private readonly waiting: ((write: HeldWrite) => void)[] = [];
  onWrite: ((write: HeldWrite) => void) | null = null;
  /** How many writes failed at the gate. */
  failures = 0;

  /** Resolves with the next write, held. */
  nextWrite(): Promise<HeldWrite> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async write(fd: number, buffers: Buffer[], position: number): Promise<void> {
    const gate = this.waiting.shift() ?? this.onWrite;
    if (!gate) return this.real.write(fd, buffers, position);
    const pass = await new Promise<boolean>((decide) =>
      gate({ pass: () => decide(true), failDiskFull: () => decide(false) }),
    );
    if (pass) return this.real.write(fd, buffers, position);
    this.failures++;
    const [header] = buffers;
    if (header) await this.real.write(fd, [header], position);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }

  close(): Promise<void> {
    return this.real.close();
  }
}
