import { afterEach } from 'vitest';

/** A store opened for one contract test, and how to release what it holds (a database file, a pool). */
export interface StoreFixture<S> {
  store: S;
  close(): Promise<void>;
}

/** Opens a fresh fixture per call and closes every one after each test. */
export function fixtures<F extends StoreFixture<unknown>>(open: () => Promise<F>): () => Promise<F> {
  const opened: F[] = [];
  afterEach(async () => {
    for (const fixture of opened.splice(0)) await fixture.close();
  });
  return async () => {
    const fixture = await open();
    opened.push(fixture);
    return fixture;
  };
}
