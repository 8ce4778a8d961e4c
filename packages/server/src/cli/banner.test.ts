import { describe, expect, it } from 'vitest';
import { startBanner } from './banner.js';

describe('pulse serve banner', () => {
  it('names the dashboard, the demo sign-in and the admin key file', () => {
    const text = startBanner({
      url: 'http://127.0.0.1:8000',
      adminKeyFile: '.pulse/admin.key',
      demoLogin: { email: 'ceo@pulse.demo', password: 'secret-1' },
    });
    expect(text).toContain('dashboard   http://127.0.0.1:8000/');
    expect(text).toContain('sign in     ceo@pulse.demo / secret-1  (demo)');
    expect(text).toContain('admin key   .pulse/admin.key');
  });

  it('leaves out what does not apply', () => {
    const text = startBanner({ url: 'https://pulse.example', adminKeyFile: null, demoLogin: null });
    expect(text).not.toContain('sign in');
    expect(text).not.toContain('admin key');
  });
});
