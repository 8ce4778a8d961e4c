import password from '@inquirer/password';
import type { User as UserRow } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';
import { tenantsOption, tenantsText } from './keys.js';

/**
 * The password from stdin (`--password-stdin`, for scripts) or typed twice at a terminal prompt that does not
 * echo it. Without a terminal there is no one to type it: refuse rather than wait on a pipe.
 */
async function readPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  if (!process.stdin.isTTY)
    throw new Error('no terminal to type the password at: pipe it in and add --password-stdin');
  // The prompt writes to stderr so that stdout carries only the result (`--json`).
  const context = { output: process.stderr };
  const typed = await password({ message: 'password' }, context);
  if ((await password({ message: 'again' }, context)) !== typed)
    throw new Error('the two passwords differ; nothing was changed');
  return typed;
}

const describeUser = (u: UserRow) =>
  `${u.email} (${u.id}): ${u.role}, tenants ${tenantsText(u.tenants)}${u.disabled ? ', disabled' : ''}`;

/** `pulse users add|list|set|remove`: dashboard users, managed by an admin. */
export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('Dashboard users: add, list, set (role, tenants, password), remove');
  withClientOptions(
    users
      .command('add')
      .description('Add a user; the password is read from a prompt, or from stdin with --password-stdin')
      .argument('<email>', 'their sign-in email')
      .requiredOption('--role <role>', 'admin | executive | tenant_executive | analyst')
      .option('--tenants <ids>', 'comma-separated tenant ids, or "all" (required for tenant_executive)')
      .option('--name <name>', 'display name')
      .option('--password-stdin', 'read the password from stdin (at least 12 characters)')
      .option('--json', 'machine output'),
  ).action(
    async (
      email: string,
      options: ClientOptions & {
        role: string;
        tenants?: string;
        name?: string;
        passwordStdin?: boolean;
        json?: boolean;
      },
    ) => {
      const tenants = tenantsOption(options.tenants);
      const password = await readPassword(options.passwordStdin);
      const user = await ApiClient.from(options).request<UserRow>('POST', '/api/users', {
        email,
        password,
        role: options.role,
        ...(tenants !== undefined ? { tenants } : {}),
        ...(options.name !== undefined ? { name: options.name } : {}),
      });
      print(options.json ?? false, user, () => `added ${describeUser(user)}`);
    },
  );
  withClientOptions(
    users
      .command('list')
      .description('List users (never their passwords)')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<{ users: UserRow[] }>('GET', '/api/users');
    print(options.json ?? false, result, () =>
      result.users.length
        ? formatTable(
            result.users.map((u) => ({
              ...u,
              tenants: tenantsText(u.tenants),
              disabled: u.disabled ? 'yes' : '',
            })),
            ['id', 'email', 'name', 'role', 'tenants', 'disabled', 'createdAt'],
          )
        : 'no users yet: add one with `pulse users add <email> --role executive`',
    );
  });
  withClientOptions(
    users
      .command('set')
      .description("Change a user's role, tenants or password, or disable/enable them (ends their sessions)")
      .argument('<id>', 'user id (from `pulse users list`)')
      .option('--role <role>', 'new role')
      .option('--tenants <ids>', 'comma-separated tenant ids, or "all"')
      .option('--password', 'set a new password (prompt, or stdin with --password-stdin)')
      .option('--password-stdin', 'read the new password from stdin')
      .option('--disable', 'stop them signing in')
      .option('--enable', 'let them sign in again')
      .option('--json', 'machine output'),
  ).action(
    async (
      id: string,
      options: ClientOptions & {
        role?: string;
        tenants?: string;
        password?: boolean;
        passwordStdin?: boolean;
        disable?: boolean;
        enable?: boolean;
        json?: boolean;
      },
    ) => {
      if (options.disable && options.enable) throw new Error('--disable and --enable contradict each other');
      const tenants = tenantsOption(options.tenants);
      const body = {
        ...(options.role !== undefined ? { role: options.role } : {}),
        ...(tenants !== undefined ? { tenants } : {}),
        ...(options.password || options.passwordStdin
          ? { password: await readPassword(options.passwordStdin) }
          : {}),
        ...(options.disable ? { disabled: true } : options.enable ? { disabled: false } : {}),
      };
      const user = await ApiClient.from(options).request<UserRow>(
        'PATCH',
        `/api/users/${encodeURIComponent(id)}`,
        body,
      );
      print(options.json ?? false, user, () => `updated ${describeUser(user)}`);
    },
  );
  withClientOptions(
    users
      .command('remove')
      .description('Remove a user and end their sessions')
      .argument('<id>', 'user id')
      .option('--json', 'machine output'),
  ).action(async (id: string, options: ClientOptions & { json?: boolean }) => {
    await ApiClient.from(options).request('DELETE', `/api/users/${encodeURIComponent(id)}`);
    print(options.json ?? false, { removed: id }, () => `removed user ${id}`);
  });
}
