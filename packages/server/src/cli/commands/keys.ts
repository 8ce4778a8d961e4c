import type { ApiKey as KeyRow } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

export const tenantsText = (t: readonly string[] | 'all') => (t === 'all' ? 'all' : t.join(','));

/** `--tenants a,b` or `--tenants all` → what the API takes. */
export function tenantsOption(raw: string | undefined): string[] | 'all' | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === 'all') return 'all';
  return raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** `pulse keys create|list|revoke`: API keys with a role and tenants; shown once. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys: create (shown once), list, revoke');
  withClientOptions(
    keys
      .command('create')
      .description('Create an API key; the key is printed once and cannot be shown again')
      .requiredOption('--role <role>', 'admin | executive | tenant_executive | analyst | ingest')
      .option('--tenants <ids>', 'comma-separated tenant ids, or "all" (required for tenant_executive)')
      .option('--name <name>', 'what the key is for')
      .option('--expires <date>', 'expiry, ISO 8601 date or date-time (e.g. 2027-01-01)')
      .option('--json', 'machine output'),
  ).action(
    async (
      options: ClientOptions & {
        role: string;
        tenants?: string;
        name?: string;
        expires?: string;
        json?: boolean;
      },
    ) => {
      const tenants = tenantsOption(options.tenants);
      const result = await ApiClient.from(options).request<KeyRow & { key: string }>('POST', '/api/keys', {
        role: options.role,
        ...(tenants !== undefined ? { tenants } : {}),
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.expires !== undefined ? { expiresAt: options.expires } : {}),
      });
      print(options.json ?? false, result, () =>
        [
          `created key ${result.id} (${result.role}, tenants ${tenantsText(result.tenants)}${result.expiresAt ? `, expires ${result.expiresAt}` : ''})`,
          '',
          `  ${result.key}`,
          '',
          'Store it now: Pulse keeps only its hash and cannot show it again.',
        ].join('\n'),
      );
    },
  );
  withClientOptions(
    keys
      .command('list')
      .description('List API keys (never their secrets)')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<{ keys: KeyRow[] }>('GET', '/api/keys');
    print(options.json ?? false, result, () =>
      result.keys.length
        ? formatTable(
            result.keys.map((k) => ({ ...k, tenants: tenantsText(k.tenants) })),
            ['id', 'name', 'role', 'tenants', 'status', 'createdAt', 'expiresAt', 'lastUsedAt'],
          )
        : 'no API keys (the bootstrap admin key is not listed)',
    );
  });
  withClientOptions(
    keys
      .command('revoke')
      .description('Revoke an API key: it stops working at once')
      .argument('<id>', 'key id (the part after pulse_ in the key)')
      .option('--json', 'machine output'),
  ).action(async (id: string, options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<KeyRow>(
      'DELETE',
      `/api/keys/${encodeURIComponent(id)}`,
    );
    print(options.json ?? false, result, () => `revoked key ${result.id} at ${result.revokedAt ?? '?'}`);
  });
}
