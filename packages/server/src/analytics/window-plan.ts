import { DAY_MS } from './facts.js';
import type { TimeWindow } from './summary-types.js';

/** How one window splits: whole UTC days served by the rollups, partial-day edges served from raw rows. */
export interface WindowPlan {
  /** Whole days [firstDay, endDay), UTC day numbers; empty when firstDay >= endDay. */
  firstDay: number;
  endDay: number;
  /** The partial day at the end of the window ([floor-day(to), to)), if any. */
  tail: TimeWindow | null;
  /** The partial day at the start ([from, ceil-day(from))), if any. */
  head: TimeWindow | null;
}

export function planWindow({ from, to }: TimeWindow): WindowPlan {
  const firstDay = Math.ceil(from / DAY_MS);
  const endDay = Math.floor(to / DAY_MS);
  if (firstDay >= endDay) {
    // No whole day inside: at most two partial pieces, split at the midnight between them.
    const midnight = firstDay * DAY_MS;
    if (midnight >= to || midnight <= from)
      return { firstDay, endDay: firstDay, tail: { from, to }, head: null };
    return { firstDay, endDay: firstDay, tail: { from: midnight, to }, head: { from, to: midnight } };
  }
  return {
    firstDay,
    endDay,
    tail: to > endDay * DAY_MS ? { from: endDay * DAY_MS, to } : null,
    head: from < firstDay * DAY_MS ? { from, to: firstDay * DAY_MS } : null,
  };
}

/** The window of the same length just before `window`. */
export const previousOf = ({ from, to }: TimeWindow): TimeWindow => ({ from: from - (to - from), to: from });
