// What a bench's DuckDB file holds once the server has stopped: the events stored (and whether any uuid is
// there twice), and where its bytes go — per table and column, from DuckDB's own storage_info, beside the
// file's used and free blocks.
import { DuckDBInstance } from '@duckdb/node-api';

/** Opens `path` read-only; resolves with event counts and the byte breakdown. */
export async function storeContents(path) {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const db = await instance.connect();
  const rows = async (text) => (await db.runAndReadAll(text)).getRowObjectsJS();
  try {
    const [{ events, uuids }] = await rows(
      'SELECT count(*)::BIGINT AS events, count(DISTINCT uuid)::BIGINT AS uuids FROM events',
    );
    const [size] = await rows('PRAGMA database_size');
    const tables = await rows(
      "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'",
    );
    const segments = [];
    for (const { table_name: table } of tables) {
      const info = await rows(
        `SELECT column_name AS "column", compression, block_id::BIGINT AS block, block_offset::BIGINT AS "offset",
          len(additional_block_ids) AS extra FROM pragma_storage_info('${table.replaceAll("'", "''")}')
          WHERE persistent`,
      );
      segments.push(...info.map((s) => ({ table, ...s })));
    }
    return { events: Number(events), uuids: Number(uuids), size, columns: columnBytes(segments, size) };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/**
 * Bytes per event column (summed over the per-type event tables) and per other table. storage_info gives no
 * segment size, only where each segment starts in its block, so a segment runs to the next one's start (the
 * block's end for the last one: an upper bound, a block's unused tail counts to its last segment) plus the
 * whole blocks it continues into. Constant segments take no space.
 */
function columnBytes(segments, size) {
  const blockSize = Number(size.block_size);
  const byBlock = new Map();
  for (const s of segments) {
    if (Number(s.block) < 0) continue;
    const list = byBlock.get(s.block) ?? [];
    list.push(s);
    byBlock.set(s.block, list);
  }
  const bytes = new Map();
  const add = (key, n, compression) => {
    const entry = bytes.get(key) ?? { bytes: 0, compression: new Set() };
    entry.bytes += n;
    if (compression) entry.compression.add(compression);
    bytes.set(key, entry);
  };
  for (const list of byBlock.values()) {
    list.sort((a, b) => Number(a.offset) - Number(b.offset));
    list.forEach((s, i) => {
      const key = s.table.startsWith('ev_') ? `events.${s.column}` : `${s.table} (table)`;
      const extra = Number(s.extra) * blockSize;
      const end = i + 1 < list.length ? Number(list[i + 1].offset) : blockSize;
      add(key, end - Number(s.offset) + extra, s.compression);
    });
  }
  return [...bytes].map(([column, e]) => ({
    column,
    bytes: e.bytes,
    compression: [...e.compression].join('+'),
  }));
}
