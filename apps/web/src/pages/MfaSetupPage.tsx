import { FormEvent, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import QRCode from 'qrcode';
import type { LoginResponse, MfaSetupResponse } from '@hub/contracts';
import { ApiError, post } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Field } from '../components/Field';

export function MfaSetupPage() {
  const { user, accept, mfaEnrolmentRequired } = useAuth();
  const navigate = useNavigate();
  const [setup, setSetup] = useState<MfaSetupResponse | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!user || user.mfaEnabled) return;
    post<MfaSetupResponse>('/api/auth/mfa/setup')
      .then(async (s) => {
        setSetup(s);
        setQr(await QRCode.toDataURL(s.otpauthUrl, { margin: 1, width: 220 }));
      })
      .catch((e) => setError(e instanceof ApiError ? e.body.message : 'Could not start enrolment'));
  }, [user]);

  if (!user) return null;
  if (user.mfaEnabled) {
    return (
      <main className="page">
        <h1>Security</h1>
        <p>Multi-factor authentication is on for your account.</p>
      </main>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      accept(await post<LoginResponse>('/api/auth/mfa/enable', { code }));
      navigate('/', { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err.body.message : 'Could not confirm the code');
    }
  }

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
      {qr && <img src={qr} alt="QR code for your authenticator app" width={220} height={220} />}
      {setup && (
        <p className="muted">
          Cannot scan? Enter this key: <code data-testid="mfa-secret">{setup.secret}</code>
        </p>
      )}
      <form onSubmit={submit} className="card">
        <Field label="Authentication code">
          {(id) => <input id={id} inputMode="numeric" pattern="\d{6}" maxLength={6} required value={code} onChange={(e) => setCode(e.target.value)} />}
        </Field>
        {error && (
          <div role="alert" className="alert">
            {error}
          </div>
        )}
        <button type="submit">Turn on</button>
      </form>
    </main>
  );
}
