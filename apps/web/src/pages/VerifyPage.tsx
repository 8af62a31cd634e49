import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { useNavigate } from '../routing';
import { CERTIFICATION_KINDS, CERTIFICATION_LABELS, type CertificateVerification } from '@hub/contracts';
import { ApiError, get } from '../api/client';
import { useApiQuery } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { certificationName } from '../i18n/words';
import { day } from '../training/api';


/** Public: checks a certificate's code without signing in (GET /api/certificates/verify/:code). */
export function VerifyPage() {
  const { code = '' } = useParams();
  const navigate = useNavigate();
  const [input, setInput] = useState(code);
  const { t, i18n } = useTranslation();
  const heading = usePageTitle(t('training.verify.title'));
  // A code that matches nothing is an answer (null), not a failure to retry.
  const v = useApiQuery<CertificateVerification | null>(code ? ['verify', code] : null, () =>
    get<CertificateVerification>(`/api/certificates/verify/${encodeURIComponent(code)}`).catch((e) => {
      // Unknown, or not even shaped like a code (400): either way no certificate has it.
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return null;
      throw e;
    }),
  );
  const go = (e: FormEvent) => {
    e.preventDefault();
    if (input.trim()) navigate(`/verify/${encodeURIComponent(input.trim())}`);
  };
  const d = v.data;
  return (
    <main className="verify" data-testid="verify-page">
      <h1 ref={heading} tabIndex={-1}>{t('training.verify.title')}</h1>
      <p className="muted">{t('training.verify.subtitle', { app: t('app.name') })}</p>
      <form onSubmit={go} className="row-form" aria-label={t('training.verify.form')}>
        <div className="field">
          <label htmlFor="verify-code">{t('training.certificates.code')}</label>
          <input id="verify-code" value={input} onChange={(e) => setInput(e.target.value)} autoComplete="off" />
        </div>
        <button type="submit">{t('training.verify.verify')}</button>
      </form>
      {v.error && <div role="alert" className="alert">{v.error}</div>}
      {code && !v.loading && !v.error && d === null && <section className="card"><p className="verdict not_found" data-testid="verdict">{t('training.verify.notFound')}</p></section>}
      {d && (
        <section className="card" aria-label={t('training.verify.result')}>
          <p className={`verdict ${d.status}`} data-testid="verdict">{i18n.exists(`training.verify.verdict.${d.status}`) ? t(`training.verify.verdict.${d.status}`) : d.status}</p>
          <dl>
            <dt>{t('training.verify.holder')}</dt><dd data-testid="holder">{d.holderName}</dd>
            <dt>{t('training.verify.course')}</dt><dd>{d.courseTitle} ({certificationOf(t, d.certification)})</dd>
            <dt>{t('training.certificates.issued')}</dt><dd>{day(d.issuedAt)}</dd>
            <dt>{d.status === 'expired' ? t('training.verify.expired') : t('training.columns.validUntil')}</dt><dd>{day(d.expiresAt)}</dd>
            {d.revokedAt && <><dt>{t('training.verify.revoked')}</dt><dd>{day(d.revokedAt)}</dd></>}
          </dl>
          <p className="muted">{t('training.verify.codeLine', { code: d.code })}</p>
        </section>
      )}
      <p><Link to="/">{t('app.name')}</Link></p>
    </main>
  );
}

/** The server names the certification in English ("Telemedicine user"): shown in the reader's words when known. */
function certificationOf(t: Parameters<typeof certificationName>[0], label: string): string {
  const kind = CERTIFICATION_KINDS.find((k) => CERTIFICATION_LABELS[k] === label);
  return kind ? certificationName(t, kind) : label;
}
