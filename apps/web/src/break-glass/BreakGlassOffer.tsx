import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BREAK_GLASS_REASON_MIN, Role, type BreakGlassGrantView } from '@hub/contracts';
import { post } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSubmit } from '../components/useLoad';
import { newKey } from '../offline/db';

/**
 * On a case the reader cannot open: a clinician (field medical officer, reference doctor) may open it in an
 * emergency, stating why (break-the-glass). The hub refuses another mission's case and a sensitive one as "not
 * found"; the access lasts a limited time and the mission's health manager reviews it.
 */
export function BreakGlassOffer({ caseId, onOpened }: { caseId: string; onOpened: () => unknown }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const form = useSubmit();
  const [reason, setReason] = useState('');
  const [key] = useState(newKey);
  const clinician = !!user?.memberships.some((m) => m.role === Role.FieldMedicalOfficer || m.role === Role.ReferenceDoctor);
  if (!clinician) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await form.submit(() => post<BreakGlassGrantView>(`/api/cases/${caseId}/break-glass`, { reason: reason.trim() }, { idempotencyKey: key }))) await onOpened();
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label={t('breakGlass.openTitle')} data-testid="break-glass-form">
      <h2>{t('breakGlass.openTitle')}</h2>
      <p>{t('breakGlass.openIntro')}</p>
      <p className="muted">{t('breakGlass.reasonHint', { min: BREAK_GLASS_REASON_MIN })}</p>
      <Field label={t('breakGlass.reason')} problems={form.problems('reason')}>
        {(id, d) => <textarea id={id} aria-describedby={d} value={reason} required minLength={BREAK_GLASS_REASON_MIN} maxLength={1000} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <ErrorAlert error={form.error} shown={['reason']} />
      <button type="submit" className="danger" disabled={form.busy}>{form.busy ? t('breakGlass.opening') : t('breakGlass.open')}</button>
    </form>
  );
}
