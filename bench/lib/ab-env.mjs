/** `BENCH_AB_ENV='PULSE_X=1 PULSE_Y=2'` as an environment object (a value may itself contain `=`). */
export const settingsOf = (text) =>
  Object.fromEntries(
    (text ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
