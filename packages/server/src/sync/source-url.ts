/** A source URL as it may be shown and logged: user, host, port and database, never the password or options. */
export function withoutSecrets(url: string): string {
  const parsed = new URL(url);
  const user = parsed.username ? `${parsed.username}@` : '';
  const port = parsed.port ? `:${parsed.port}` : '';
  return `${parsed.protocol}//${user}${parsed.hostname}${port}${parsed.pathname}`;
}
