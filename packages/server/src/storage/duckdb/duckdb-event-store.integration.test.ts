import { join } from 'node:path';
import { runEventStoreContract } from '../event-store.contract.js';
import { DuckDbEventStore } from './duckdb-event-store.js';

runEventStoreContract('duckdb (file)', (dir) => DuckDbEventStore.open({ path: join(dir, 'events.duckdb') }));
