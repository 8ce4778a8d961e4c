/** A nullable column read back (epoch_ms(…) selects) as a number or null. */
export const msOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
