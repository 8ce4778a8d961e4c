import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces the file at `path` with `chunks`: a temporary file written and fsynced, renamed over it, and the
 * directory fsynced, so a crash leaves either the old file or the new one, never a torn one.
 */
export async function writeFileDurably(path: string, chunks: readonly Buffer[]): Promise<void> {
  const temporary = `${path}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writev(chunks);
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
