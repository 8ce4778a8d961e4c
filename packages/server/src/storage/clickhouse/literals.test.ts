import { describe, expect, it } from 'vitest';
import { join, sql } from '../../sql.js';
import { dateTimeLiteral, literal, render } from './literals.js';
import { supportsParameters } from './connection.js';
import { parseClickHouseUrl } from './store-url.js';
import { editDistance, rankNearest } from './nearest-tenants.js';

describe('ClickHouse literals', () => {
  it('escapes strings so no character leaves the literal', () => {
    expect(literal("o'brien")).toBe("'o\\'brien'");
    expect(literal('back\\slash')).toBe("'back\\\\slash'");
    expect(literal("\\'")).toBe("'\\\\\\''");
    expect(literal('a\nb\r\tc\0')).toBe("'a\\nb\\r\\tc\\0'");
    expect(literal('ünïcode 🚀')).toBe("'ünïcode 🚀'");
  });

  it('writes numbers, negative ones parenthesised, and refuses non-finite ones', () => {
    expect(literal(42)).toBe('42');
    expect(literal(-5)).toBe('(-5)');
    expect(literal(1.5e-7)).toBe('1.5e-7');
    expect(literal(12345678901234567890n)).toBe('12345678901234567890');
    expect(() => literal(Number.NaN)).toThrow(/not a finite number/);
    expect(() => literal(Number.POSITIVE_INFINITY)).toThrow(/not a finite number/);
  });

  it('writes booleans, NULL, arrays and instants', () => {
    expect(literal(true)).toBe('1');
    expect(literal(null)).toBe('NULL');
    expect(literal(['a', "b'", null, 3])).toBe("['a', 'b\\'', NULL, 3]");
    expect(literal([])).toBe('[]');
    const at = new Date(Date.UTC(2026, 0, 10, 12));
    expect(dateTimeLiteral(at, false)).toBe("toDateTime(1768046400, 'UTC')");
    expect(() => dateTimeLiteral(new Date(at.getTime() + 5), false)).toThrow(/milliseconds/);
    expect(dateTimeLiteral(new Date(at.getTime() + 5), true)).toBe("toDateTime64(1768046400.005, 3, 'UTC')");
  });

  it('renders a statement with literals, or with typed parameters where the server has them', () => {
    const statement = sql`SELECT 1 FROM t WHERE a = ${"x'"} AND b-${-1} > 0 AND c IN (${join(['p', 'q'])}) AND d = ${null}`;
    expect(render(statement, { parameters: false })).toEqual({
      query: "SELECT 1 FROM t WHERE a = 'x\\'' AND b-(-1) > 0 AND c IN ('p','q') AND d = NULL",
      params: {},
    });
    expect(render(statement, { parameters: true })).toEqual({
      query:
        'SELECT 1 FROM t WHERE a = {p0:String} AND b-{p1:Int64} > 0 AND c IN ({p2:String},{p3:String}) AND d = {p4:Nullable(String)}',
      params: { p0: "x'", p1: -1, p2: 'p', p3: 'q', p4: null },
    });
  });

  it('uses query parameters from ClickHouse 19.11 on', () => {
    expect(supportsParameters('18.16.1')).toBe(false);
    expect(supportsParameters('19.10.1.5')).toBe(false);
    expect(supportsParameters('19.11.3.11')).toBe(true);
    expect(supportsParameters('24.8.4.13')).toBe(true);
  });
});

describe('PULSE_STORE_URL for ClickHouse', () => {
  it('reads the HTTP endpoint, login and database', () => {
    expect(parseClickHouseUrl('clickhouse://pulse:p%40ss@ch.internal:8124/events')).toEqual({
      url: 'http://ch.internal:8124',
      username: 'pulse',
      password: 'p@ss',
      database: 'events',
    });
    expect(parseClickHouseUrl('clickhouse://ch/pulse')).toEqual({
      url: 'http://ch:8123',
      username: 'default',
      password: '',
      database: 'pulse',
    });
  });

  it('refuses what it cannot use, naming the URL without its password', () => {
    expect(() => parseClickHouseUrl('clickhouse://u:secret@ch:8123')).toThrow(
      'PULSE_STORE_URL clickhouse://u:***@ch:8123: names no database; add it as the path, e.g. clickhouse://host:8123/pulse',
    );
    expect(() => parseClickHouseUrl('clickhouse://ch/bad-name')).toThrow(/letters, digits and underscores/);
    expect(() => parseClickHouseUrl('http://ch/db')).toThrow(/must start with clickhouse:\/\//);
    expect(() => parseClickHouseUrl('clickhouse://ch/db?secure=1')).toThrow(/no query string/);
    expect(() => parseClickHouseUrl('not a url')).toThrow(/is not a URL/);
  });
});

describe('nearest tenant names', () => {
  it('counts a transposition once and ranks prefixes first, then distance, then id', () => {
    expect(editDistance('acme', 'amce')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(rankNearest('Acm', ['zeta', 'acme-eu', 'acne', 'acme', 'bcm'], 3)).toEqual([
      'acme',
      'acme-eu',
      'bcm',
    ]);
    expect(rankNearest('globex', ['initech', 'umbrella'], 5)).toEqual([]);
  });
});
