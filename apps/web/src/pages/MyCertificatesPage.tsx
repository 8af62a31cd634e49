import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { CertificateView, MyTrainingStatus } from '@hub/contracts';
import { get } from '../api/client';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { certificationName } from '../i18n/words';
import { day, download, T } from '../training/api';

export const verifyPath = (code: string) => `/verify/${encodeURIComponent(code)}`;

export function CertificateRow({ c, extra }: { c: CertificateView; extra?: React.ReactNode }) {
  const { t } = useTranslation();
  const status = c.status === 'valid' && new Date(c.expiresAt).getTime() - Date.now() < 30 * 86400_000 ? 'expiring' : c.status;
  return (
    <tr data-testid={`certificate-${c.code}`}>
      <td>{certificationName(t, c.kind)}<div className="muted">{c.courseTitle} v{c.courseVersion}</div></td>
      <td><span className={`status ${status}`}>{status === 'expiring' ? t('training.certificates.expiring') : t(`training.certStatus.${c.status}`)}</span>{c.revocationReason && <div className="muted">{c.revocationReason}</div>}</td>
      <td>{day(c.issuedAt)}</td>
      <td>{day(c.expiresAt)}</td>
      <td>
        <code data-testid="certificate-code">{c.code}</code>
        <div><Link to={verifyPath(c.code)}>{t('training.certificates.verifyPage')}</Link></div>
      </td>
      <td>
        <button type="button" className="secondary small" onClick={() => void download(`${T}/certificates/${c.id}/pdf`, `certificate-${c.code}.pdf`)}>
          PDF
        </button>
        {extra}
      </td>
    </tr>
  );
}

export function CertificatesTable({ list, extra }: { list: CertificateView[]; extra?: (c: CertificateView) => React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <table>
      <thead><tr><th>{t('training.columns.certification')}</th><th>{t('training.columns.status')}</th><th>{t('training.certificates.issued')}</th><th>{t('training.columns.validUntil')}</th><th>{t('training.certificates.code')}</th><th>{t('training.course.certificate')}</th></tr></thead>
      <tbody>{list.map((c) => <CertificateRow key={c.id} c={c} extra={extra?.(c)} />)}</tbody>
    </table>
  );
}

export function MyCertificatesPage() {
  const me = useApi<MyTrainingStatus>(`${T}/me`);
  const { t } = useTranslation();
  const heading = usePageTitle(t('training.myCertificates'));
  return (
    <main className="page" data-testid="my-certificates">
      <h1 ref={heading} tabIndex={-1}>{t('training.myCertificates')}</h1>
      {me.error && <div role="alert" className="alert">{me.error}</div>}
      {me.data && !me.data.certificates.length && <p className="muted"><Trans i18nKey="training.certificates.none" components={{ link: <Link to="/training" /> }} /></p>}
      {me.data && me.data.certificates.length > 0 && <CertificatesTable list={me.data.certificates} />}
      <p className="muted">{t('training.certificates.publicNote')}</p>
    </main>
  );
}
