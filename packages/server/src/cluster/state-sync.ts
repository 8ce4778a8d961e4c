import type { Logger } from 'pino';
import { ReconnectTimer } from './reconnect-timer.js';
import type { BusListener, StateChange, StateChannel, StateOwner } from './ports.js';

/**
 * Keeps the in-memory copies of shared state (rules, open alerts, silences, budgets, armed report
 * schedules) of this process in step with the others: each change an owner commits is announced once, and
 * each change another process announced is reloaded from the store by its owner, one at a time in the
 * order heard. A lost connection is reopened with back-off; then every owner reloads everything (changes
 * announced meanwhile were not heard). Changes heard before the owners are known wait for them.
 */
export class StateSync {
  private listener: BusListener | null = null;
  private owners: readonly StateOwner[] | null = null;
  private waiting: StateChange[] = [];
  private applying: Promise<void> = Promise.resolve();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly reconnection = new ReconnectTimer(() => void this.reconnect());
  private stopped = false;
  /** The connection was lost before the owners were known: they reload everything when they are. */
  private reloadOnFollow = false;

  constructor(
    private readonly options: {
      channel: StateChannel;
      origin: string;
      logger: Logger;
      /** Counts changes of other processes applied here, and full reloads. */
      counters: { applied: () => void; reloaded: () => void };
    },
  ) {}

  /** Hears changes from now on (they wait until `follow` names their owners). */
  async start(): Promise<void> {
    this.listener = await this.listen();
  }

  /** Announces these owners' changes and applies the others' to them, beginning with those heard so far. */
  follow(owners: readonly StateOwner[]): void {
    this.owners = owners;
    for (const owner of owners) this.unsubscribes.push(owner.onChange((change) => this.announce(change)));
    const waiting = this.waiting;
    this.waiting = [];
    if (this.reloadOnFollow) this.enqueue(() => this.reloadAll());
    else for (const change of waiting) this.enqueue(() => this.apply(change));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.reconnection.cancel();
    await this.listener?.close();
    await this.applying;
  }

  /** Has every owner reload its whole copy (after missed events), in turn with the changes heard. */
  reload(): Promise<void> {
    if (!this.owners) {
      this.reloadOnFollow = true;
      return Promise.resolve();
    }
    this.enqueue(() => this.reloadAll());
    return this.applying;
  }

  /** Resolves once what was heard so far is applied (tests, orderly stops). */
  settled(): Promise<void> {
    return this.applying;
  }

  private announce(change: StateChange): void {
    if (this.stopped) return;
    this.options.channel.announce(this.options.origin, change).catch((error: unknown) =>
      // The others catch up at their next reload (a restart, a lost connection); this one is already right.
      this.options.logger.warn({ err: error, change }, 'telling the other processes of a change failed'),
    );
  }

  private listen(): Promise<BusListener> {
    return this.options.channel.listen(
      (origin, change) => {
        if (origin === this.options.origin || this.stopped) return;
        if (this.owners) this.enqueue(() => this.apply(change));
        else this.waiting.push(change);
      },
      (error) => this.lost(error),
      (payload) =>
        this.options.logger.warn({ payload }, 'ignored a state change notification that is not one'),
    );
  }

  private enqueue(work: () => Promise<void>): void {
    this.applying = this.applying.then(work);
  }

  private async apply(change: StateChange): Promise<void> {
    for (const owner of this.owners ?? [])
      if (owner.kinds.includes(change.kind))
        try {
          await owner.apply(change);
          this.options.counters.applied();
        } catch (error) {
          this.options.logger.error(
            { err: error, change },
            'applying a change of another process failed; reloading everything',
          );
          await this.reloadAll();
        }
  }

  private async reloadAll(): Promise<void> {
    for (const owner of this.owners ?? [])
      await owner.reloadAll().catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'reloading shared state failed');
      });
    this.options.counters.reloaded();
  }

  private lost(error: Error): void {
    if (this.stopped) return;
    this.options.logger.warn({ err: error }, 'the state change connection was lost; reconnecting');
    this.listener = null;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.stopped) this.reconnection.schedule();
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      // Listen first: what is announced from now on is heard; what came before is reloaded.
      const listener = await this.listen();
      if (this.stopped) return void (await listener.close());
      this.listener = listener;
      this.reconnection.succeeded();
      this.options.logger.info('the state change connection is back; reloading shared state');
      await this.reload();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'reconnecting the state change connection failed; retrying');
      this.scheduleReconnect();
    }
  }
}
