import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from './index.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

describe('pulse CLI', () => {
  it('has --help on every verb, with a description', () => {
    const program = buildProgram();
    const commands = allCommands(program);
    expect(commands.map((c) => c.name())).toEqual(
      expect.arrayContaining(['serve', 'seed', 'events', 'quarantine', 'list', 'replay', 'schema', 'export']),
    );
    for (const command of commands) {
      expect(command.description(), command.name()).not.toBe('');
      expect(command.helpInformation()).toContain('-h, --help');
    }
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['node', 'pulse', '--version'])).toBe(0);
      expect(out.mock.calls.map((c) => String(c[0])).join('')).toBe(`${version}\n`);
    } finally {
      out.mockRestore();
    }
  });

  it('the global --config reaches every verb that calls the server', async () => {
    const file = join(temporaryDirectory('pulse-cli-'), 'pulse.config.json');
    writeFileSync(file, JSON.stringify({ url: 'http://127.0.0.1:9', adminKey: 'k' }));
    const errors: string[] = [];
    const spy = vi
      .spyOn(console, 'error')
      .mockImplementation((line: unknown) => void errors.push(String(line)));
    const code = await main(['node', 'pulse', '--config', file, 'keys', 'list']);
    spy.mockRestore();
    expect(code).toBe(1);
    expect(errors.join('\n')).toContain('no Pulse server answering at http://127.0.0.1:9');
  });

  it('schema export prints the catalog as JSON Schema', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const code = await main(['node', 'pulse', 'schema', 'export', '--event', 'resource_usage_event']);
    spy.mockRestore();
    expect(code).toBe(0);
    const schema = JSON.parse(out.join('')) as {
      title: string;
      properties: { properties: { required: string[] } };
    };
    expect(schema.title).toBe('resource_usage_event');
    expect(schema.properties.properties.required).toEqual([
      'tenant_id',
      'resource_type',
      'current_usage',
      'capacity',
    ]);
  });

  it('fails with a clear message and a non-zero code for bad input', async () => {
    const err: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: string) => err.push(m));
    expect(await main(['node', 'pulse', 'schema', 'export', '--event', 'nope'])).toBe(1);
    spy.mockRestore();
    expect(err.join('')).toMatch(/unknown event "nope"; known: revenue_impact_event/);
  });
});
