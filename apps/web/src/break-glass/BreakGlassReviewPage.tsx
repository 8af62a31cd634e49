import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { BreakGlassGrantView } from '@hub/contracts';
import { post } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useApi } from '../components/useApi';
import { useSubmit } from '../components/useLoad';
import { usePageTitle } from '../components/usePageTitle';
import { formatDateTime } from '../i18n/format';
import { newKey } from '../offline/db';

const STATES = ['pending', 'flagged', 'accepted', 'all'] as const;

/**
 * The health manager's review of break-the-glass: every emergency access to a case of their missions, who, which
 * case, the reason and when; each is accepted, or flagged with a note (both audited).
 */
export function BreakGlassReviewPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('breakGlass.reviewTitle'));
  const [state, setState] = useState<(typeof STATES)[number]>('pending');
  const grants = useApi<BreakGlassGrantView[]>(`/api/break-glass?state=${state}`);
  return (
    <main className="page" data-testid="break-glass-review">
      <h1 ref={heading} tabIndex={-1}>{t('breakGlass.reviewTitle')}</h1>
      <p className="muted">{t('breakGlass.reviewIntro')}</p>
      <label>
        {t('breakGlass.show')}{' '}
        <select value={state} onChange={(e) => setState(e.target.value as (typeof STATES)[number])} data-testid="break-glass-state">
          {STATES.map((s) => <option key={s} value={s}>{t(`breakGlass.states.${s}`)}</option>)}
        </select>
      </label>
      {grants.error && <div role="alert" className="alert">{grants.error}</div>}
      {grants.loading && <p className="muted">{t('app.loading')}</p>}
      {grants.data && !grants.data.length && <p className="muted">{t('breakGlass.empty')}</p>}
      <ul className="bookings" data-testid="break-glass-grants">
        {grants.data?.map((g) => <GrantItem key={g.id} g={g} onReviewed={grants.reload} />)}
      </ul>
    </main>
  );
}

function GrantItem({ g, onReviewed }: { g: BreakGlassGrantView; onReviewed: () => unknown }) {
  const { t } = useTranslation();
  const review = useSubmit();
  const [note, setNote] = useState(g.reviewNote ?? '');
  const decide = (decision: 'accepted' | 'flagged') =>
    review.submit(async () => {
      await post(`/api/break-glass/${g.id}/review`, { decision, note: note.trim() || undefined }, { idempotencyKey: newKey() });
      await onReviewed();
    });
  return (
    <li data-testid="break-glass-grant">
      <strong>{g.userName ?? '—'}</strong> · <Link to={`/cases/${g.caseId}`}>{g.caseReference}</Link> ·{' '}
      {t('breakGlass.when', { start: formatDateTime(g.startedAt), end: formatDateTime(g.expiresAt) })}
      {g.active && <span className="notice"> {t('breakGlass.running')}</span>}
      <p>
        {t('breakGlass.reasonGiven')}: <q data-testid="break-glass-reason">{g.reason}</q>
      </p>
      <p data-testid="break-glass-review-state">
        <span className={`badge review-${g.reviewState}`}>{t(`breakGlass.states.${g.reviewState}`)}</span>
        {g.reviewedAt && <> {t('breakGlass.reviewedBy', { name: g.reviewedByName ?? '—', date: formatDateTime(g.reviewedAt) })}</>}
        {g.reviewNote && <> — {g.reviewNote}</>}
      </p>
      <Field label={t('breakGlass.note')} problems={review.problems('note')}>
        {(id, d) => <input id={id} aria-describedby={d} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} placeholder={t('breakGlass.noteHint')} />}
      </Field>
      <ErrorAlert error={review.error} shown={['note']} />
      <div className="actions">
        <button type="button" disabled={review.busy} onClick={() => void decide('accepted')}>{t('breakGlass.accept')}</button>{' '}
        <button type="button" className="danger" disabled={review.busy} onClick={() => void decide('flagged')}>{t('breakGlass.flag')}</button>
      </div>
    </li>
  );
}
