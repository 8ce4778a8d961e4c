import { Worker } from 'node:worker_threads';

/*
 * The worker writes and fdatasyncs synchronously on its own thread. Not libuv's pool: DuckDB runs each
 * statement on that pool (4 threads), and a bulk load holding them for seconds delayed the log's fsync,
 * and so every acknowledgement, behind it (measured: ~300 ms group commits under load).
 */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { writevSync, fdatasyncSync } = require('node:fs');
parentPort.on('message', ({ id, fd, buffers, position }) => {
  try {
    let offset = position;
    let chunks = buffers;
    while (chunks.length) {
      let written = writevSync(fd, chunks, offset);
      offset += written;
      const rest = [];
      for (const chunk of chunks) {
        if (written >= chunk.length) { written -= chunk.length; continue; }
        rest.push(chunk.subarray(written));
        written = 0;
      }
      chunks = rest;
    }
    fdatasyncSync(fd);
    parentPort.postMessage({ id });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

/** Where the ingest log's bytes go: a positioned write of `buffers` at `position`, then fdatasync. */
export interface LogWrites {
  write(fd: number, buffers: Buffer[], position: number): Promise<void>;
  close(): Promise<void>;
}

/** Positioned write + fdatasync of log records on a dedicated thread; one request at a time is typical. */
export class LogWriter implements LogWrites {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  constructor() {
    // Started now, not at the first write: starting a thread takes from tens of ms to most of a second on
    // a busy machine, and the first acknowledgement (or the first critical alert, journaled) waited on it.
    this.start();
  }

  write(fd: number, buffers: Buffer[], position: number): Promise<void> {
    const worker = this.start();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Held alive only while a write is pending (idle between group commits it must not keep the process up).
      worker.ref();
      worker.postMessage({ id, fd, buffers, position });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerSource, { eval: true });
    // Held alive only while a write is pending (see write).
    worker.unref();
    worker.on('message', ({ id, error }: { id: number; error?: string }) => {
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      if (!this.waiting.size) worker.unref();
      if (error) waiter?.reject(new Error(error));
      else waiter?.resolve();
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error('the ingest log writer stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
