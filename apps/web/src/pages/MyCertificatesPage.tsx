import { Link } from 'react-router-dom';
import type { CertificateView, MyTrainingStatus } from '@hub/contracts';
import { CERTIFICATION_LABELS } from '@hub/contracts';
import { get } from '../api/client';
import { useApi } from '../components/useApi';
import { day, download, T } from '../training/api';

export const verifyPath = (code: string) => `/verify/${encodeURIComponent(code)}`;

export function CertificateRow({ c, extra }: { c: CertificateView; extra?: React.ReactNode }) {
  const status = c.status === 'valid' && new Date(c.expiresAt).getTime() - Date.now() < 30 * 86400_000 ? 'expiring' : c.status;
  return (
    <tr data-testid={`certificate-${c.code}`}>
      <td>{CERTIFICATION_LABELS[c.kind]}<div className="muted">{c.courseTitle} v{c.courseVersion}</div></td>
      <td><span className={`status ${status}`}>{status === 'expiring' ? 'valid, expiring' : c.status}</span>{c.revocationReason && <div className="muted">{c.revocationReason}</div>}</td>
      <td>{day(c.issuedAt)}</td>
      <td>{day(c.expiresAt)}</td>
      <td>
        <code data-testid="certificate-code">{c.code}</code>
        <div><Link to={verifyPath(c.code)}>Verification page</Link></div>
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
  return (
    <table>
      <thead><tr><th>Certification</th><th>Status</th><th>Issued</th><th>Valid until</th><th>Verification code</th><th>Certificate</th></tr></thead>
      <tbody>{list.map((c) => <CertificateRow key={c.id} c={c} extra={extra?.(c)} />)}</tbody>
    </table>
  );
}

export function MyCertificatesPage() {
  const me = useApi<MyTrainingStatus>(`${T}/me`);
  return (
    <main className="page" data-testid="my-certificates">
      <h1>My certificates</h1>
      {me.error && <div role="alert" className="alert">{me.error}</div>}
      {me.data && !me.data.certificates.length && <p className="muted">No certificate yet. <Link to="/training">My training</Link> says what you still need.</p>}
      {me.data && me.data.certificates.length > 0 && <CertificatesTable list={me.data.certificates} />}
      <p className="muted">Anyone can check a certificate with its code on the public verification page; it shows only the name, the course and the dates.</p>
    </main>
  );
}
