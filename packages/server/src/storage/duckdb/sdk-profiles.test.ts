import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { toNdjsonLine } from './rows.js';
import { carriesDefinition, sdkProfilesTableSql, SdkProfiles } from './sdk-profiles.js';

async function emptyProfiles() {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(sdkProfilesTableSql);
  return { connection, profiles: await SdkProfiles.load(connection) };
}

const event = (properties: Record<string, unknown>) => ({
  uuid: '01944f5a-0000-7000-8000-000000000001',
  event: 'signup_clicked',
  distinctId: 'u1',
  timestamp: 0,
  properties: { tenant_id: 't', ...properties },
});

describe('SDK profiles', () => {
  it('cuts scalar SDK properties out of the row, carrying the profile text until it is stored', async () => {
    const { connection, profiles } = await emptyProfiles();
    const line = toNdjsonLine(
      event({ plan: 'pro', $lib: 'posthog-node', $set: { a: 1 }, $geoip_disable: true }),
      0,
      profiles,
    );
    const row = JSON.parse(line) as Record<string, unknown>;
    expect(row.sdk_profile).toBe(1);
    expect(row.sdk_profile_def).toBe('{"$lib":"posthog-node","$geoip_disable":true}');
    expect(row.properties).toEqual({ plan: 'pro', $set: { a: 1 } });
    expect(carriesDefinition([line])).toBe(true);

    await connection.run(
      `INSERT INTO sdk_profiles VALUES (1, '{"$lib":"posthog-node","$geoip_disable":true}')`,
    );
    await profiles.refresh(connection);
    const next = toNdjsonLine(event({ $lib: 'posthog-node', $geoip_disable: true }), 0, profiles);
    expect(JSON.parse(next)).toMatchObject({ sdk_profile: 1 });
    expect(carriesDefinition([Buffer.from(next)])).toBe(false);
  });

  it('gives each run of events the profile of its own SDK properties, the same one again when they repeat', async () => {
    const { profiles } = await emptyProfiles();
    const profileOf = (properties: Record<string, unknown>) =>
      (JSON.parse(toNdjsonLine(event(properties), 0, profiles)) as { sdk_profile?: number }).sdk_profile;
    const node = { $lib: 'posthog-node', $lib_version: '5.70.0' };
    expect(profileOf(node)).toBe(1);
    expect(profileOf({ ...node, plan: 'pro' })).toBe(1);
    // Same names, another value; one name more; the same names in another order; a value of another type.
    expect(profileOf({ $lib: 'posthog-node', $lib_version: '5.71.0' })).toBe(2);
    expect(profileOf({ ...node, $is_server: true })).toBe(3);
    expect(profileOf({ $lib_version: '5.70.0', $lib: 'posthog-node' })).toBe(4);
    expect(profileOf({ $lib: 'posthog-node', $lib_version: 5.7 })).toBe(5);
    expect(profileOf(node)).toBe(1);
    expect(profileOf({ plan: 'pro' })).toBeUndefined();
    expect(profileOf(node)).toBe(1);
  });

  it('keeps a too long set inline, after the other properties, as a profile would read back', async () => {
    const { profiles } = await emptyProfiles();
    const row = JSON.parse(
      toNdjsonLine(event({ $raw_user_agent: 'x'.repeat(2_000), note: 'n' }), 0, profiles),
    ) as Record<string, unknown>;
    expect(row.sdk_profile).toBeUndefined();
    expect(Object.keys(row.properties as object)).toEqual(['note', '$raw_user_agent']);
  });

  it('refuses a stored profile that contradicts the one this process assigned', async () => {
    const { connection, profiles } = await emptyProfiles();
    expect(profiles.resolve('{"$lib":"a"}')?.id).toBe(1);
    await connection.run(`INSERT INTO sdk_profiles VALUES (1, '{"$lib":"b"}')`);
    await expect(profiles.refresh(connection)).rejects.toThrow(/disagree/);
  });

  it('adopts profiles a replayed log stored, and assigns new ids after them', async () => {
    const { connection, profiles } = await emptyProfiles();
    await connection.run(`INSERT INTO sdk_profiles VALUES (1, '{"$lib":"a"}'), (2, '{"$lib":"b"}')`);
    await profiles.refresh(connection);
    expect(profiles.resolve('{"$lib":"b"}')).toEqual({ id: 2, text: '{"$lib":"b"}', stored: true });
    expect(profiles.resolve('{"$lib":"c"}')?.id).toBe(3);
  });
});
