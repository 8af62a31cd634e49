import { FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { LoginResponse, MfaSetupResponse } from '@hub/contracts';
import { ApiError, errorMessage, post } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Field } from '../components/Field';

/** Authenticator (TOTP) enrolment: required for administrators, optional for everyone else ("Security"). */
export function MfaSetupPage() {
  const { user, accept, mfaEnrolmentRequired } = useAuth();
  const navigate = useNavigate();
  const [setup, setSetup] = useState<MfaSetupResponse | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | string | null>(null);
  // One field only: every problem (wrong code, validation) goes in the alert under it.
  const [busy, setBusy] = useState(false);
  const mfaEnabled = user?.mfaEnabled ?? false;

  useEffect(() => {
    if (!user || mfaEnabled) return;
    let cancelled = false;
    post<MfaSetupResponse>('/api/auth/mfa/setup')
      .then(async (s) => {
        if (cancelled) return;
        setSetup(s);
        try {
          // The QR library is loaded only here; the key below works without it.
          const { toDataURL } = await import('qrcode');
          const url = await toDataURL(s.otpauthUrl, { margin: 1, width: 220 });
          if (!cancelled) setQr(url);
        } catch {
          /* the secret is shown as text */
        }
      })
      .catch((e) => !cancelled && setError(errorMessage(e, 'Could not start enrolment')));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user?.id, mfaEnabled]);

  if (!user) return null;
  if (mfaEnabled) {
    return (
      <main className="page narrow">
        <h1>Security</h1>
        <p className="notice">Multi-factor authentication is on for your account. Sign-in asks for a code from your authenticator app.</p>
        <p>
          <Link to="/">Back to the home page</Link>
        </p>
      </main>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      accept(await post<LoginResponse>('/api/auth/mfa/enable', { code: code.trim() }));
      navigate('/', { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err : errorMessage(err, 'Could not confirm the code'));
    } finally {
      setBusy(false);
    }
  }

  const message = error instanceof ApiError ? error.plainMessage : error;

  return (
    <main className="page narrow">
      <h1>Set up your authenticator</h1>
      {mfaEnrolmentRequired && (
        <p className="notice">Your role requires multi-factor authentication before you can use the hub.</p>
      )}
      <ol>
        <li>Open an authenticator app (e.g. FreeOTP, Aegis, Google Authenticator) and scan this code.</li>
        <li>Type the six-digit code it shows.</li>
      </ol>
      {qr ? (
        <img src={qr} alt="QR code for your authenticator app" width={220} height={220} className="qr" />
      ) : (
        !error && <p className="muted">Preparing your code…</p>
      )}
      {setup && (
        <p className="muted">
          Cannot scan? Enter this key: <code data-testid="mfa-secret" className="secret">{setup.secret}</code>
        </p>
      )}
      <form onSubmit={submit} className="card" aria-label="Confirm authenticator">
        <Field label="Authentication code">
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\d{6}"
              maxLength={6}
              required
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            />
          )}
        </Field>
        {message && (
          <div role="alert" className="alert" data-testid="mfa-error">
            {message}
          </div>
        )}
        <div className="buttons">
          <button type="submit" disabled={busy || !setup}>
            {busy ? 'Checking…' : 'Turn on'}
          </button>
          {!mfaEnrolmentRequired && (
            <Link to="/" className="button-link">
              Not now
            </Link>
          )}
        </div>
      </form>
    </main>
  );
}
