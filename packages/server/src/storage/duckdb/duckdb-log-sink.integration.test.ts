import { join } from 'node:path';
import { runLogSinkContract } from '../log-sink.contract.js';
import { DuckDbEventStore } from './duckdb-event-store.js';

runLogSinkContract('duckdb', async (dir) => () => DuckDbEventStore.open({ path: join(dir, 'pulse.duckdb') }));
