import { describe, expect, it } from 'vitest';
import { alertSettingsFrom } from './settings.js';

describe('alert settings from configuration', () => {
  it('defaults: weekly digest Monday 08:00 UTC, critical to every channel, high to Slack and the webhook', () => {
    const s = alertSettingsFrom({ alertEmailTo: ['ceo@acme.test'], smtpUrl: 'smtp://mail:25' });
    expect(s).toMatchObject({
      digestCron: '0 8 * * 1',
      digestTimezone: 'UTC',
      routes: {
        critical: ['slack', 'email', 'webhook'],
        high: ['slack', 'webhook'],
        digest: ['email', 'slack'],
      },
      email: { smtpUrl: 'smtp://mail:25', to: ['ceo@acme.test'] },
      outbound: { allowPrivateNetworks: false },
      notifyMaxAgeMs: 24 * 3_600_000,
      publicUrl: null,
    });
  });

  it('takes the new keys, drops unknown channel names and disables the digest with "" or "off"', () => {
    const s = alertSettingsFrom({
      publicUrl: 'https://pulse.acme.test/',
      alertChannelsCritical: ['webhook', 'pager'],
      digestCron: 'off',
      outboundAllowPrivate: true,
    });
    expect(s.publicUrl).toBe('https://pulse.acme.test');
    expect(s.routes.critical).toEqual(['webhook']);
    expect(s.digestCron).toBeNull();
    expect(alertSettingsFrom({ digestCron: '' }).digestCron).toBeNull();
    expect(s.outbound.allowPrivateNetworks).toBe(true);
  });
});
