import type { CapturedEvent } from './captured-event.js';
import type { IngestPipeline } from './pipeline.js';

/**
 * Feeds a stream of events through the pipeline in batches (validation, quarantine and dedup apply as
 * for captured events), reporting progress. Used by `pulse seed` and the demo data set.
 */
export async function loadEvents(
  pipeline: IngestPipeline,
  events: Iterable<CapturedEvent>,
  onProgress: (loaded: number) => void = () => {},
  batchSize = 20_000,
): Promise<{ loaded: number; quarantined: number }> {
  let batch: CapturedEvent[] = [];
  let loaded = 0;
  let quarantined = 0;
  // Two batches in flight: one commits in DuckDB's threads while the next is generated and validated.
  let previous: Promise<void> = Promise.resolve();
  const flush = async () => {
    const current = batch;
    batch = [];
    // The ingest log acknowledges faster than the store loads: wait for room rather than meet a 503.
    await pipeline.waitForRoom(current.length);
    const committing = pipeline.ingest(current).then((outcome) => {
      quarantined += outcome.quarantined.length;
      loaded += current.length;
      onProgress(loaded);
    });
    await previous;
    previous = committing;
  };
  for (const event of events) {
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length) await flush();
  await previous;
  // Loaded means in the store, not only in the ingest log.
  await pipeline.drain();
  return { loaded, quarantined };
}
