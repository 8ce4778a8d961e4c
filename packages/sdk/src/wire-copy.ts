// Non-finite numbers survive the round trip under these markers; JSON alone would make them null.
const markers = new Map<string, number>([
  ['\u0000pulse:NaN', NaN],
  ['\u0000pulse:Infinity', Infinity],
  ['\u0000pulse:-Infinity', -Infinity],
]);

/**
 * A deep copy holding what posthog-node will put on the wire (JSON): a Date becomes its ISO string,
 * undefined properties disappear, cycles and bigints throw. Non-finite numbers are the exception: they
 * stay as they are, so the catalog's message names the NaN the caller computed rather than a null.
 */
export function wireCopy(value: unknown): unknown {
  const json = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? `\u0000pulse:${v}` : v,
  );
  return json === undefined
    ? undefined
    : (JSON.parse(json, (_key, v: unknown) =>
        typeof v === 'string' ? (markers.get(v) ?? v) : v,
      ) as unknown);
}
