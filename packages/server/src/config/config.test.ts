import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, serverUrl } from './index.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

describe('loadConfig', () => {
  it('uses the documented defaults and freezes the result', () => {
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
    expect(config).toMatchObject({
      port: 9100,
      host: '127.0.0.2',
      projectTokens: [
        { token: 'phc_a', tenants: 'all' },
        { token: 'phc_b', tenants: 'all' },
      ],
    });
    expect(loadConfig({ env: { PULSE_PROJECT_TOKEN: 'phc_x, phc_y' }, file: null }).projectTokens).toEqual([
      { token: 'phc_x', tenants: 'all' },
      { token: 'phc_y', tenants: 'all' },
    ]);
  });

  it('reads project tokens scoped to tenants, in env and in the file', () => {
    const env = { PULSE_PROJECT_TOKEN: 'phc_all, phc_ab = tenant-a | tenant-b ,phc_c=tenant-c' };
    expect(loadConfig({ env, file: null }).projectTokens).toEqual([
      { token: 'phc_all', tenants: 'all' },
      { token: 'phc_ab', tenants: ['tenant-a', 'tenant-b'] },
      { token: 'phc_c', tenants: ['tenant-c'] },
    ]);
    const dir = temporaryDirectory('pulse-config-');
    const file = join(dir, 'pulse.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        projectTokens: ['phc_x=t1', { token: 'phc_y', tenants: ['t2', 't3'] }, { token: 'phc_z' }],
      }),
    );
    expect(loadConfig({ env: {}, file }).projectTokens).toEqual([
      { token: 'phc_x', tenants: ['t1'] },
      { token: 'phc_y', tenants: ['t2', 't3'] },
      { token: 'phc_z', tenants: 'all' },
    ]);
  });

  it.each([
    ['phc_a=', 'PULSE_PROJECT_TOKEN entry 1: names no tenant (write token or token=tenant-a|tenant-b)'],
    [
      'phc_a,phc_b=|',
      'PULSE_PROJECT_TOKEN entry 2: names no tenant (write token or token=tenant-a|tenant-b)',
    ],
    [`phc_${'x'.repeat(70)}`, 'PULSE_PROJECT_TOKEN entry 1: API key is not valid: too_long'],
    ['phx_personal', 'PULSE_PROJECT_TOKEN entry 1: API key is not valid: personal_api_key'],
    ['phc_a,phc_a=t', 'PULSE_PROJECT_TOKEN entry 2: the same token is listed twice'],
  ])('refuses PULSE_PROJECT_TOKEN=%j, saying which entry and why', (value, problem) => {
    expect(() => loadConfig({ env: { PULSE_PROJECT_TOKEN: value }, file: null })).toThrow(ConfigError);
    try {
      loadConfig({ env: { PULSE_PROJECT_TOKEN: value }, file: null });
    } catch (error) {
      expect((error as ConfigError).problems.some((p) => p.startsWith(problem))).toBe(true);
    }
  });

  it('applies per-provider webhook tolerances', () => {
    const config = loadConfig({
      env: { PULSE_WEBHOOK_TOLERANCE_SECONDS: '60', PULSE_STRIPE_TOLERANCE_SECONDS: '0' },
      file: null,
    });
    expect(config.webhookTolerance).toEqual({ sendgrid: 60, mailgun: 60, ses: 60, stripe: 0, posthog: 60 });
  });

  it('gives SES an hour of SNS retries unless a tolerance is set', () => {
    expect(loadConfig({ env: {}, file: null }).webhookTolerance).toEqual({
      sendgrid: 300,
      mailgun: 300,
      ses: 3900,
      stripe: 300,
      posthog: 300,
    });
    expect(
      loadConfig({ env: {}, file: null, overrides: { webhookToleranceSeconds: 120 } }).webhookTolerance.ses,
    ).toBe(120);
  });

  it('reads provider keys as lists and the tenant map as JSON, refusing what cannot work', () => {
    const good =
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==';
    const config = loadConfig({
      env: {
        PULSE_SENDGRID_PUBLIC_KEY: good,
        PULSE_STRIPE_WEBHOOK_SECRET: 'whsec_old, whsec_new',
        PULSE_WEBHOOK_TENANT_MAP: '{"domains": {"Mail.Acme.IO": "acme"}}',
      },
      file: null,
    });
    expect(config.sendgridPublicKey).toEqual([good]);
    expect(config.stripeWebhookSecret).toEqual(['whsec_old', 'whsec_new']);
    expect(config.webhookTenantMap).toEqual({ domains: { 'mail.acme.io': 'acme' }, stripeCustomers: {} });
    let error: unknown;
    try {
      loadConfig({
        env: {
          PULSE_SENDGRID_PUBLIC_KEY: `${good},bm90IGEga2V5`,
          PULSE_WEBHOOK_TENANT_MAP: '{"domains": {"a.io": ""}}',
        },
        file: null,
      });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^PULSE_SENDGRID_PUBLIC_KEY key 2 is not a base64 EC public key/),
      expect.stringMatching(/^PULSE_WEBHOOK_TENANT_MAP domains\["a\.io"\] must name a tenant/),
    ]);
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
          PULSE_LOG_LEVEL: 'verbose',
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
      'PULSE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose"): Log level: fatal, error, warn, info, debug, trace or silent',
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
