import { FormEvent, useState } from 'react';
import { Navigate, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Field } from '../components/Field';

export function LoginPage() {
  const { login, user, mfaEnrolmentRequired } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (user) return <Navigate to={mfaEnrolmentRequired ? '/mfa-setup' : '/'} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await login(email, password, needTotp ? totp : undefined);
      navigate(res.mfaEnrolmentRequired ? '/mfa-setup' : '/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.body.code === 'MFA_REQUIRED') {
        setNeedTotp(true);
        setError(null);
      } else if (err instanceof ApiError && err.body.code === 'INVALID_CREDENTIALS') {
        setError('Wrong email or password.');
      } else if (err instanceof ApiError) {
        // Locked (with the time), disabled, too many attempts, wrong code, link down: the server's words.
        setError(err.plainMessage);
      } else {
        setError('The hub cannot be reached. Check the link and try again.');
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <h1>Field Telemedicine Hub</h1>
      <p className="muted">Teleconsultation between field clinics and reference hospitals.</p>
      <form onSubmit={submit} className="card" aria-label="Sign in">
        <Field label="Email">
          {(id) => (
            <input id={id} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Password">
          {(id) => (
            <input id={id} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        {needTotp && (
          <Field label="Authentication code">
            {(id) => (
              <input id={id} inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" maxLength={6} required autoFocus value={totp} onChange={(e) => setTotp(e.target.value)} />
            )}
          </Field>
        )}
        {needTotp && <p className="muted">Enter the six-digit code from your authenticator app.</p>}
        {error && (
          <div role="alert" className="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
