import { useState } from 'preact/hooks';
import { ApiError, session } from '../api';
import type { SessionBody } from '../types';

export function SignIn({ onSignedIn }: { onSignedIn: (s: SessionBody) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await session.signIn(email, password));
    } catch (e) {
      if (e instanceof ApiError && e.status === 429)
        setError(`Too many attempts. Try again in ${e.retryAfter ?? 60} seconds.`);
      else if (e instanceof ApiError && e.status === 401) setError('Wrong email or password.');
      else setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <form class="card signin-card" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <div class="brand big">
          <svg viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" />
            <path d="M5 17h6l3-8 4 14 3-6h6" />
          </svg>
          Pulse
        </div>
        <h1 id="signin-title">Sign in</h1>
        <label>
          Email
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
