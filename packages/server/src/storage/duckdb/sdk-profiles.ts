import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, readRows, sql, type Sql } from './sql.js';

/**
 * Properties an SDK sets the same way on every event of one installation and environment: the library,
 * its settings, the browser, OS and device. Per-user, per-session and per-page ones ($device_id,
 * $session_id, $current_url, $insert_id, $time, $referrer, viewport sizes, rate-limit counters…) are not
 * here: they would make a profile per user, session or event.
 */
export const sdkPropertyNames: ReadonlySet<string> = new Set([
  // library and its settings (posthog-node, posthog-js, posthog-python, mobile SDKs)
  '$lib',
  '$lib_version',
  '$lib_custom_api_host',
  '$is_server',
  '$geoip_disable',
  '$config_defaults',
  '$configured_session_timeout_ms',
  // browser environment (posthog-js)
  '$os',
  '$os_name',
  '$os_version',
  '$browser',
  '$browser_version',
  '$browser_language',
  '$browser_language_prefix',
  '$device',
  '$device_type',
  '$raw_user_agent',
  '$timezone',
  '$timezone_offset',
  '$screen_height',
  '$screen_width',
  '$host',
  // mobile apps
  '$app_name',
  '$app_version',
  '$app_build',
  '$app_namespace',
  '$device_manufacturer',
  '$device_model',
  '$device_name',
  '$locale',
]);

/** Bounds the registry (memory, and a client inventing profiles): beyond them properties stay inline. */
const MAX_PROFILES = 10_000;
const MAX_TEXT = 1_024;

/** The per-event column: which profile's properties the event also has (NULL: none). */
export const sdkProfileColumn = { name: 'sdk_profile', type: 'INTEGER' } as const;

/**
 * A row whose profile is not stored yet carries its text under this key, so the load that stores the row
 * stores the profile in the same transaction (and a replayed log does too). The marker is how a staged
 * section is recognised as carrying one without parsing it.
 */
export const sdkDefinitionKey = 'sdk_profile_def';
const definitionMarker = `,"${sdkDefinitionKey}":`;
const definitionMarkerBytes = Buffer.from(definitionMarker);
export const definitionColumn = { name: sdkDefinitionKey, type: 'VARCHAR' } as const;

/** The distinct SDK property sets, as JSON object text in captured order. */
export const sdkProfilesTableSql =
  'CREATE TABLE IF NOT EXISTS sdk_profiles (id INTEGER PRIMARY KEY, properties VARCHAR NOT NULL)';

/** Whether staged rows (byte ranges of NDJSON) may carry a profile definition. */
export function carriesDefinition(parts: readonly (Buffer | string)[]): boolean {
  return parts.some((part) =>
    typeof part === 'string' ? part.includes(definitionMarker) : part.includes(definitionMarkerBytes),
  );
}

/**
 * Stores the definitions carried by `staged` rows (a `SELECT` over them giving sdk_profile and
 * sdk_profile_def) that are not stored yet; the same definition may arrive in several loads.
 */
export function storeDefinitionsSql(staged: Sql): Sql {
  const definition = ident(sdkDefinitionKey);
  return sql`INSERT INTO sdk_profiles SELECT DISTINCT sdk_profile, ${definition} FROM (${staged})
    WHERE ${definition} IS NOT NULL AND sdk_profile NOT IN (SELECT id FROM sdk_profiles)`;
}

export interface SdkProfile {
  id: number;
  /** The properties as JSON object text, e.g. {"$lib":"posthog-node","$lib_version":"5.70.0"}. */
  text: string;
  /** In sdk_profiles (committed): rows may refer to it by id alone. */
  stored: boolean;
}

/** An event's SDK properties (names in captured order, scalar values), their JSON object text and profile. */
export interface SdkProperties {
  names: string[];
  values: (string | number | boolean)[];
  text: string;
  /** Null when the registry is full or the text too long: the properties stay inline. */
  profile: SdkProfile | null;
}

/**
 * The store's SDK profiles in memory: encoding an event looks its SDK properties up here and writes the
 * profile's small id instead of the text. Ids are assigned here only, in order; the table is read at open
 * and after each load that stored definitions (a replayed log tail brings the ones an earlier run assigned).
 */
export class SdkProfiles {
  private readonly byText = new Map<string, SdkProfile>();
  private readonly byId = new Map<number, SdkProfile>();
  private nextId = 1;
  private last: SdkProperties | null = null;

  static async load(connection: DuckDBConnection): Promise<SdkProfiles> {
    const profiles = new SdkProfiles();
    await profiles.refresh(connection);
    return profiles;
  }

  /** The profile of this text, assigned on first sight; null when the registry is full or the text too long. */
  resolve(text: string): SdkProfile | null {
    const known = this.byText.get(text);
    if (known) return known;
    if (text.length > MAX_TEXT || this.byId.size >= MAX_PROFILES) return null;
    const profile = { id: this.nextId++, text, stored: false };
    this.add(profile);
    return profile;
  }

  /**
   * The profile of an event's SDK properties. Events of one batch nearly always come from one SDK: while
   * the properties repeat, the last answer is returned without building their text or hashing it.
   */
  resolveProperties(names: readonly string[], values: readonly (string | number | boolean)[]): SdkProperties {
    const last = this.last;
    if (last && sameItems(last.names, names) && sameItems(last.values, values)) return last;
    let text = '';
    for (let i = 0; i < names.length; i++)
      text += `${i ? ',' : ''}${JSON.stringify(names[i])}:${JSON.stringify(values[i])}`;
    text = `{${text}}`;
    this.last = { names: [...names], values: [...values], text, profile: this.resolve(text) };
    return this.last;
  }

  textOf(id: number): string | undefined {
    return this.byId.get(id)?.text;
  }

  /** Reads what the table holds that this registry does not know as stored. */
  async refresh(connection: DuckDBConnection): Promise<void> {
    const unstored = [...this.byId.values()].filter((p) => !p.stored).map((p) => p.id);
    const rows = await readRows(
      connection,
      sql`SELECT id, properties FROM sdk_profiles
        WHERE id >= ${this.nextId} OR id IN (SELECT unnest(from_json(${JSON.stringify(unstored)}, '["INTEGER"]')))`,
    );
    for (const row of rows) {
      const id = Number(row.id);
      const text = String(row.properties);
      const known = this.byId.get(id);
      if (known && known.text !== text)
        throw new Error(
          `SDK profile ${id} is stored as ${text} but was assigned to ${known.text}: the store and this process disagree`,
        );
      if (known) known.stored = true;
      else this.add({ id, text, stored: true });
      this.nextId = Math.max(this.nextId, id + 1);
    }
  }

  private add(profile: SdkProfile): void {
    this.byText.set(profile.text, profile);
    this.byId.set(profile.id, profile);
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
