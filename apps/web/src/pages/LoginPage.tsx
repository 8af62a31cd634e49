import { FormEvent, useEffect, useState } from 'react';
import type { LoginResponse } from '@hub/contracts';
import { useTranslation } from 'react-i18next';
import { Redirect } from 'wouter';
import { useNavigate } from '../routing';
import { ApiError, readAnswer } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { clearBootForm, takeBootForm } from '../auth/boot-sign-in';
import { Field } from '../components/Field';
import { usePageTitle } from '../components/usePageTitle';
import { errorText } from '../i18n/errors';
import { LanguageSwitch } from '../i18n/LanguageSwitch';

export function LoginPage() {
  const { t } = useTranslation();
  const { login, accept, user, mfaEnrolmentRequired } = useAuth();
  const navigate = useNavigate();
  // What was typed into index.html's plain form before this page arrived (and the answer, if it was sent).
  const [boot] = useState(takeBootForm);
  const [email, setEmail] = useState(boot.email);
  const [password, setPassword] = useState(boot.password);
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(boot.sent !== null);
  // The title moves focus to the heading, unless the reader was typing in the plain form: the same field keeps it.
  const headingRef = usePageTitle(t('login.title'), boot.focus === null);

  useEffect(() => {
    const sent = boot.sent;
    clearBootForm();
    if (sent) void finish(sent.then((a) => readAnswer<LoginResponse>(a.status, a.body)).then((res) => (accept(res), res)));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, for the form sent before this page arrived
  }, []);

  if (user) return <Redirect to={mfaEnrolmentRequired ? '/mfa-setup' : '/'} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    await finish(login(email, password, needTotp ? totp : undefined));
  }

  async function finish(signingIn: Promise<LoginResponse>) {
    setBusy(true);
    setError(null);
    try {
      const res = await signingIn;
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
            <input id={id} type="email" autoComplete="username" required autoFocus={boot.focus === 'email'} value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label={t('login.password')}>
          {(id) => (
            <input id={id} type="password" autoComplete="current-password" required autoFocus={boot.focus === 'password'} value={password} onChange={(e) => setPassword(e.target.value)} />
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
        {busy && boot.sent !== null && <p className="muted" role="status">{t('login.opening')}</p>}
      </form>
    </main>
  );
}
