import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, serverUrl } from './index.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

describe('loadConfig', () => {
  it('uses SPEC §6 defaults and freezes the result', () => {
    const config = loadConfig({ env: {}, file: null });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      dataDir: './.pulse',
      projectTokens: [],
      webhookToleranceSeconds: 300,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(serverUrl(config)).toBe('http://127.0.0.1:8000');
  });

  it('reads the file, lets env win over it and CLI overrides win over env', () => {
    const dir = temporaryDirectory('pulse-config-');
    const file = join(dir, 'pulse.config.json');
    writeFileSync(file, JSON.stringify({ port: 9000, host: '0.0.0.0', projectTokens: ['phc_a', 'phc_b'] }));
    const config = loadConfig({ env: { PULSE_PORT: '9100' }, file, overrides: { host: '127.0.0.2' } });
    expect(config).toMatchObject({ port: 9100, host: '127.0.0.2', projectTokens: ['phc_a', 'phc_b'] });
    expect(loadConfig({ env: { PULSE_PROJECT_TOKEN: 'phc_x, phc_y' }, file: null }).projectTokens).toEqual([
      'phc_x',
      'phc_y',
    ]);
  });

  it('applies per-provider webhook tolerances', () => {
    const config = loadConfig({
      env: { PULSE_WEBHOOK_TOLERANCE_SECONDS: '60', PULSE_STRIPE_TOLERANCE_SECONDS: '0' },
      file: null,
    });
    expect(config.webhookTolerance).toEqual({ sendgrid: 60, mailgun: 60, ses: 60, stripe: 0, posthog: 60 });
  });

  it('fails listing every bad key at once, naming where each came from', () => {
    const dir = temporaryDirectory('pulse-config-');
    const file = join(dir, 'pulse.config.json');
    writeFileSync(file, JSON.stringify({ port: 'eighty', colour: 'blue' }));
    let error: unknown;
    try {
      loadConfig({
        env: {
          PULSE_SLACK_WEBHOOK_URL: 'not a url',
          PULSE_SMTP_URL: 'http://mail',
          PULSE_MAILGUN_TOLERANCE_SECONDS: '-1',
        },
        file,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      `${file}: unknown key "colour"`,
      `${file}: port must be a whole number from 0 to 65535 (got "eighty"): HTTP port`,
      'PULSE_SLACK_WEBHOOK_URL must be an absolute URL (got "not a url"): Slack incoming webhook for alerts',
      'PULSE_SMTP_URL must use smtp: or smtps: (got "http://mail"): SMTP server for alert email',
      'PULSE_MAILGUN_TOLERANCE_SECONDS must be a whole number from 0 to 604800 (got "-1")',
    ]);
  });

  it('reports a file that is not JSON', () => {
    const dir = temporaryDirectory('pulse-config-');
    const file = join(dir, 'pulse.config.json');
    writeFileSync(file, '{ port: 1 ');
    expect(() => loadConfig({ env: {}, file })).toThrow(/pulse\.config\.json: .*JSON/);
  });
});
