import { join } from 'node:path';
import { runApiKeyStoreContract } from '../api-key-store.contract.js';
import { runRelayDeadLetterStoreContract } from '../relay-dead-letter-store.contract.js';
import { runRetentionStoreContract } from '../retention-store.contract.js';
import { runSubscriptionStoreContract } from '../subscription-store.contract.js';
import { runUserStoreContract } from '../user-store.contract.js';
import { DuckDbApiKeyStore } from './duckdb-api-key-store.js';
import { DuckDbEventStore } from './duckdb-event-store.js';
import { DuckDbRelayDeadLetterStore } from './duckdb-relay-dead-letter-store.js';
import { DuckDbRetentionStore } from './duckdb-retention-store.js';
import { DuckDbUserStore } from './duckdb-user-store.js';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';

/** A state store on a fresh DuckDB file, closed with the file's event store. */
const onFreshFile =
  <S>(open: (events: DuckDbEventStore) => Promise<S>) =>
  async () => {
    const events = await DuckDbEventStore.open({
      path: join(temporaryDirectory('pulse-state-'), 'pulse.duckdb'),
    });
    return { store: await open(events), close: () => events.close() };
  };

runUserStoreContract(
  'DuckDB',
  onFreshFile((events) => DuckDbUserStore.open(events)),
);
runApiKeyStoreContract(
  'DuckDB',
  onFreshFile((events) => DuckDbApiKeyStore.open(events)),
);
runRetentionStoreContract(
  'DuckDB',
  onFreshFile((events) => DuckDbRetentionStore.open(events)),
);
runSubscriptionStoreContract(
  'DuckDB',
  onFreshFile((events) => events.subscriptionStore()),
);
runRelayDeadLetterStoreContract(
  'DuckDB',
  onFreshFile((events) => DuckDbRelayDeadLetterStore.open(events)),
);
