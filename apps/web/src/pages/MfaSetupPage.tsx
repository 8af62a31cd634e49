import { FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useNavigate } from '../routing';
import type { LoginResponse, MfaSetupResponse } from '@hub/contracts';
import { ApiError, post } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Field } from '../components/Field';
import { usePageTitle } from '../components/usePageTitle';
import { errorText } from '../i18n/errors';

/** Authenticator (TOTP) enrolment: required for administrators, optional for everyone else ("Security"). */
export function MfaSetupPage() {
  const { t } = useTranslation();
  const { user, accept, mfaEnrolmentRequired } = useAuth();
  const navigate = useNavigate();
  const [setup, setSetup] = useState<MfaSetupResponse | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | string | null>(null);
  // One field only: every problem (wrong code, validation) goes in the alert under it.
  const [busy, setBusy] = useState(false);
  const mfaEnabled = user?.mfaEnabled ?? false;
  const heading = usePageTitle(mfaEnabled ? t('mfa.securityTitle') : t('mfa.title'));

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
      .catch((e) => !cancelled && setError(t('mfa.startFailed', { detail: errorText(t, e) })));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user?.id, mfaEnabled]);

  if (!user) return null;
  if (mfaEnabled) {
    return (
      <main className="page narrow">
        <h1 ref={heading} tabIndex={-1}>{t('mfa.securityTitle')}</h1>
        <p className="notice">{t('mfa.enabled')}</p>
        <p>
          <Link to="/">{t('mfa.backHome')}</Link>
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
      setError(err instanceof ApiError ? err : t('mfa.confirmFailed', { detail: errorText(t, err) }));
    } finally {
      setBusy(false);
    }
  }

  const message = error instanceof ApiError ? errorText(t, error) : error;

  return (
    <main className="page narrow">
      <h1 ref={heading} tabIndex={-1}>{t('mfa.title')}</h1>
      {mfaEnrolmentRequired && (
        <p className="notice">{t('mfa.required')}</p>
      )}
      <ol>
        <li>{t('mfa.step1')}</li>
        <li>{t('mfa.step2')}</li>
      </ol>
      {qr ? (
        <img src={qr} alt={t('mfa.qrAlt')} width={220} height={220} className="qr" />
      ) : (
        !error && <p className="muted">{t('mfa.preparing')}</p>
      )}
      {setup && (
        <p className="muted">
          {t('mfa.cannotScan')} <code data-testid="mfa-secret" className="secret">{setup.secret}</code>
        </p>
      )}
      <form onSubmit={submit} className="card" aria-label={t('mfa.confirmForm')}>
        <Field label={t('login.totp')}>
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
            {busy ? t('mfa.checking') : t('mfa.turnOn')}
          </button>
          {!mfaEnrolmentRequired && (
            <Link to="/" className="button-link">
              {t('mfa.notNow')}
            </Link>
          )}
        </div>
      </form>
    </main>
  );
}
