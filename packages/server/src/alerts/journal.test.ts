import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';
import { segmentName } from '../ingestion/log-segments.js';
import { UNNAMED_JOURNAL_ID } from '../storage/alert-store.js';
import { journalId } from './journal.js';

describe('journalId', () => {
  it('creates an id once for a new journal, and keeps it', () => {
    const dir = join(temporaryDirectory('pulse-journal-id-'), 'alert-journal');
    const id = journalId(dir);
    expect(id).not.toBe(UNNAMED_JOURNAL_ID);
    expect(journalId(dir)).toBe(id);
  });

  it('keeps the former store position of a journal written before ids', () => {
    const dir = temporaryDirectory('pulse-journal-id-');
    writeFileSync(join(dir, segmentName(0)), '');
    expect(journalId(dir)).toBe(UNNAMED_JOURNAL_ID);
    expect(journalId(dir)).toBe(UNNAMED_JOURNAL_ID);
  });
});
