import { FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { CertificateVerification } from '@hub/contracts';
import { ApiError, get } from '../api/client';
import { useApiQuery } from '../components/useApi';
import { day } from '../training/api';

const VERDICT: Record<string, string> = { valid: 'Valid certificate', expired: 'Expired certificate', revoked: 'Revoked certificate' };

/** Public: checks a certificate's code without signing in (GET /api/certificates/verify/:code). */
export function VerifyPage() {
  const { code = '' } = useParams();
  const navigate = useNavigate();
  const [input, setInput] = useState(code);
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
      <h1>Certificate verification</h1>
      <p className="muted">Field Telemedicine Hub — training certificates</p>
      <form onSubmit={go} className="row-form" aria-label="Verify a certificate">
        <div className="field">
          <label htmlFor="verify-code">Verification code</label>
          <input id="verify-code" value={input} onChange={(e) => setInput(e.target.value)} autoComplete="off" />
        </div>
        <button type="submit">Verify</button>
      </form>
      {v.error && <div role="alert" className="alert">{v.error}</div>}
      {code && !v.loading && !v.error && d === null && <section className="card"><p className="verdict not_found" data-testid="verdict">No certificate has this code.</p></section>}
      {d && (
        <section className="card" aria-label="Verification result">
          <p className={`verdict ${d.status}`} data-testid="verdict">{VERDICT[d.status] ?? d.status}</p>
          <dl>
            <dt>Holder</dt><dd data-testid="holder">{d.holderName}</dd>
            <dt>Course</dt><dd>{d.courseTitle} ({d.certification})</dd>
            <dt>Issued</dt><dd>{day(d.issuedAt)}</dd>
            <dt>{d.status === 'expired' ? 'Expired' : 'Valid until'}</dt><dd>{day(d.expiresAt)}</dd>
            {d.revokedAt && <><dt>Revoked</dt><dd>{day(d.revokedAt)}</dd></>}
          </dl>
          <p className="muted">Code {d.code}</p>
        </section>
      )}
      <p><Link to="/">Field Telemedicine Hub</Link></p>
    </main>
  );
}
