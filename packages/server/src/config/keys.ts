/** How one configuration value is read from text (env) or JSON (file), and what it means. */
export interface KeySpec<T> {
  env: string;
  /** Key in pulse.config.json. */
  file: string;
  description: string;
  default: T;
  parse: (raw: unknown) => T;
  /** Its value may hold credentials: a refusal names the problem without echoing the value. */
  secret?: boolean;
}

export class BadValue extends Error {}

/** Declares one setting; the type parameter is the parsed value's. */
export const key = <T>(spec: KeySpec<T>): KeySpec<T> => spec;

export const str = (raw: unknown): string => {
  if (typeof raw !== 'string') throw new BadValue('must be a string');
  return raw;
};
export const optStr = (raw: unknown): string | undefined => {
  const s = str(raw).trim();
  return s === '' ? undefined : s;
};
export const int =
  (min: number, max: number) =>
  (raw: unknown): number => {
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < min || n > max)
      throw new BadValue(`must be a whole number from ${min} to ${max}`);
    return n;
  };
export const bool = (raw: unknown): boolean => {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(1|true|yes|on)$/i.test(raw)) return true;
  if (typeof raw === 'string' && /^(0|false|no|off|)$/i.test(raw)) return false;
  throw new BadValue('must be true or false');
};
/** Comma-separated in env, an array in the file. */
export const list = (raw: unknown): string[] => {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
  if (!items || items.some((i) => typeof i !== 'string'))
    throw new BadValue('must be a comma-separated list');
  return (items as string[]).map((i) => i.trim()).filter(Boolean);
};
export const url =
  (protocols: string[]) =>
  (raw: unknown): string | undefined => {
    const s = optStr(raw);
    if (s === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(s);
    } catch {
      throw new BadValue('must be an absolute URL');
    }
    if (!protocols.includes(parsed.protocol)) throw new BadValue(`must use ${protocols.join(' or ')}`);
    return s;
  };
/** A memory size as DuckDB spells it (`512MB`, `4GiB`); empty means the default. */
export const byteSize = (raw: unknown): string | undefined => {
  const s = optStr(typeof raw === 'number' ? String(raw) : raw);
  if (s === undefined) return undefined;
  if (!/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(s))
    throw new BadValue('must be a size such as 512MB or 4GiB');
  return s;
};

/** One of a fixed set of words. */
export const word =
  <const T extends string>(choices: readonly T[]) =>
  (raw: unknown): T => {
    const s = str(raw).trim();
    if (!(choices as readonly string[]).includes(s))
      throw new BadValue(`must be one of ${choices.join(', ')}`);
    return s as T;
  };

/** An absolute http(s) URL, or unset. */
export const http = url(['http:', 'https:']);
