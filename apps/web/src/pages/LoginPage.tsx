import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Field } from '../components/Field';
import { usePageTitle } from '../components/usePageTitle';
import { errorText } from '../i18n/errors';
import { LanguageSwitch } from '../i18n/LanguageSwitch';

export function LoginPage() {
  const { t } = useTranslation();
  const { login, user, mfaEnrolmentRequired } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingRef = usePageTitle(t('login.title'));

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
        setError(t('login.wrong'));
      } else {
        // Locked (with the time), disabled, too many attempts, wrong code, link down: said in the reader's language.
        setError(errorText(t, err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <div className="login-language">
        <LanguageSwitch />
      </div>
      <h1 ref={headingRef} tabIndex={-1}>
        {t('app.name')}
      </h1>
      <p className="muted">{t('app.tagline')}</p>
      <form onSubmit={submit} className="card" aria-label={t('login.title')}>
        <Field label={t('login.email')}>
          {(id) => (
            <input id={id} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label={t('login.password')}>
          {(id) => (
            <input id={id} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        {needTotp && (
          <Field label={t('login.totp')}>
            {(id) => (
              <input id={id} inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" maxLength={6} required autoFocus value={totp} onChange={(e) => setTotp(e.target.value)} />
            )}
          </Field>
        )}
        {needTotp && <p className="muted">{t('login.totpHint')}</p>}
        {error && (
          <div role="alert" className="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
