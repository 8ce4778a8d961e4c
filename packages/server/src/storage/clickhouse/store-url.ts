/** Where the ClickHouse event store lives, from `clickhouse://user:password@host:port/database`. */
export interface ClickHouseTarget {
  /** The server's HTTP interface (http://host:port). */
  url: string;
  username: string;
  password: string;
  database: string;
}

const DEFAULT_HTTP_PORT = 8123;
const databaseName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The URL as it may be shown: the password replaced. */
function redacted(text: string): string {
  return text.replace(/^(clickhouse:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/**
 * Parses a ClickHouse store URL; every problem names the URL (password hidden) and what to change.
 * The port is ClickHouse's HTTP port (8123 when omitted); user and password are percent-decoded.
 */
export function parseClickHouseUrl(text: string): ClickHouseTarget {
  const fail = (problem: string): never => {
    throw new Error(`PULSE_STORE_URL ${redacted(text)}: ${problem}`);
  };
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return fail('is not a URL; expected clickhouse://user:password@host:8123/database');
  }
  if (parsed.protocol !== 'clickhouse:') fail('must start with clickhouse://');
  if (!parsed.hostname) fail('names no host; expected clickhouse://user:password@host:8123/database');
  if (parsed.search || parsed.hash) fail('takes no query string or fragment');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) fail('names no database; add it as the path, e.g. clickhouse://host:8123/pulse');
  if (!databaseName.test(database))
    fail(`database "${database}" must be letters, digits and underscores, not starting with a digit`);
  const port = parsed.port ? Number(parsed.port) : DEFAULT_HTTP_PORT;
  return {
    url: `http://${parsed.hostname}:${port}`,
    username: decodeURIComponent(parsed.username) || 'default',
    password: decodeURIComponent(parsed.password),
    database,
  };
}
