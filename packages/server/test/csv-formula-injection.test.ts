import { rmSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';

/** Cells a spreadsheet would run as formulas (OWASP "CSV Injection"). */
const payloads = ['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(1)', '\t=1', '\r=1'];
const neutralised = (s: string) => `'${s}`;

const TO = '2026-03-20T00:00:00Z';
const events = payloads.map((p, i) => ({
  event: 'cost_optimization_event',
  distinct_id: 'csv',
  uuid: `01950000-0000-7000-8000-${String(900 + i).padStart(12, '0')}`,
  timestamp: '2026-03-10T12:00:00.000Z',
  // tenant and category are text; roi is a number, negative on purpose.
  properties: {
    tenant_id: p,
    optimization_category: p,
    savings_amount: 10 + i,
    optimization_type: 'implemented',
    roi: -5,
  },
}));

/** Rows of a CSV export keyed by header, as a spreadsheet would read the cells. */
const rowsOf = (csv: string) => parse<Record<string, string>>(csv, { columns: true, relax_quotes: false });

describe('CSV exports neutralise formulas and keep numbers numeric', () => {
  let server: TestServer;
  // Tenant names are chosen by whoever sends events: one that is a formula reaches the audit trail as a scope.
  const formulaTenant = '=HYPERLINK("http://x","y")';
  let apiCsv: string;

  beforeAll(async () => {
    server = await startTestServer();
    const captured = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch: events, historical_migration: true }),
    });
    expect(await captured.text()).toBe('{"status":"Ok"}');
    const report = await fetch(`${server.url}/api/reports/cost-optimization?to=${TO}&format=csv`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    expect(report.status).toBe(200);
    apiCsv = await report.text();
    const key = await server.api<{ key: string }>('/api/keys', {
      body: { role: 'analyst', tenants: [formulaTenant] },
    });
    const scoped = await fetch(`${server.url}/api/reports/cost-optimization?to=${TO}`, {
      headers: { authorization: `Bearer ${key.body.key}` },
    });
    expect(scoped.status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('a report over the API: every text cell starting a formula is quoted out, numbers stay numbers', () => {
    const rows = rowsOf(apiCsv);
    expect(rows.map((r) => r.tenant_id).sort()).toEqual(payloads.map(neutralised).sort());
    for (const row of rows) {
      expect(row.optimization_category).toBe(row.tenant_id);
      expect(row.avg_roi).toBe('-5'); // a number: written as is, not as text '-5
      expect(row.optimization_count).toBe('1');
    }
    // Nothing in the file starts a cell with a formula character.
    const cells = rows.flatMap((r) => Object.entries(r));
    expect(cells.filter(([k, v]) => k !== 'avg_roi' && /^[=+\-@\t\r]/.test(v))).toEqual([]);
  });

  it('pulse report --csv writes the same neutralised CSV', async () => {
    const cli = await runCli(
      {},
      'report',
      'cost-optimization',
      '--csv',
      '--to',
      TO,
      '--url',
      server.url,
      '--key',
      server.adminKey,
    );
    expect(cli.code).toBe(0);
    expect(cli.stdout).toBe(apiCsv);
  });

  it('the audit export neutralises a formula in a scope, over the API and the CLI', async () => {
    const response = await fetch(`${server.url}/api/audit?format=csv&action=report.read`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    const scopes = rowsOf(await response.text()).map((r) => r.scope);
    expect(scopes).toContain(neutralised(formulaTenant));
    const cli = await runCli(
      {},
      'audit',
      'list',
      '--format',
      'csv',
      '--action',
      'report.read',
      '--url',
      server.url,
      '--key',
      server.adminKey,
    );
    expect(cli.code).toBe(0);
    expect(rowsOf(cli.stdout).map((r) => r.scope)).toContain(neutralised(formulaTenant));
  });
});
