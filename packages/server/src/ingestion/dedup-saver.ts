import type { Dedup } from './dedup.js';

/** When the dedup index is saved: at most every `saveEveryMs` while commits happen, and on demand. */
export class DedupSaver {
  private savedAt: number;
  private saving: Promise<void> | null = null;

  constructor(
    private readonly dedup: Pick<Dedup, 'save'>,
    private readonly options: { saveEveryMs: number; onSaveError: (error: unknown) => void },
    private readonly now: () => number,
  ) {
    this.savedAt = now();
  }

  /** Saves now; a save already running finishes first. */
  async saveNow(ingestedBefore: number): Promise<void> {
    while (this.saving) await this.saving;
    this.savedAt = this.now();
    await this.dedup.save(ingestedBefore);
  }

  /** After a commit: saves in the background once `saveEveryMs` passed since the last save. */
  saveIfDue(ingestedBefore: number): void {
    if (this.saving || this.now() - this.savedAt < this.options.saveEveryMs) return;
    this.savedAt = this.now();
    this.saving = this.dedup
      .save(ingestedBefore)
      .catch(this.options.onSaveError)
      .finally(() => {
        this.saving = null;
      });
  }
}
