import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HandOverResult } from '@hub/contracts';
import { post } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useApi } from '../components/useApi';
import { useSubmit } from '../components/useLoad';
import { usePageTitle } from '../components/usePageTitle';
import { newKey } from '../offline/db';

/** An outgoing officer hands over every open case (and its follow-up checks) to a successor or the clinic. */
export function HandOverPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('rotations.handOverTitle'));
  const successors = useApi<{ id: string; displayName: string; facilityName: string }[]>('/api/rotations/successors');
  const action = useSubmit();
  const [successorId, setSuccessorId] = useState('');
  const [note, setNote] = useState('');
  const [key, setKey] = useState(newKey);
  const [done, setDone] = useState<HandOverResult | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.submit(async () => {
      setDone(await post<HandOverResult>('/api/rotations/hand-over', { successorId: successorId || null, note }, { idempotencyKey: key }));
      setKey(newKey());
    });
  };
  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{t('rotations.handOverTitle')}</h1>
      <p>{t('rotations.handOverIntro')}</p>
      <form onSubmit={submit} aria-label={t('rotations.handOverTitle')}>
        <ErrorAlert error={action.error} shown={['successorId', 'note']} />
        <Field label={t('rotations.successor')} problems={action.problems('successorId')}>
          {(fid) => (
            <select id={fid} value={successorId} onChange={(e) => setSuccessorId(e.target.value)}>
              <option value="">{t('rotations.toClinic')}</option>
              {successors.data?.map((s) => <option key={s.id} value={s.id}>{s.displayName} ({s.facilityName})</option>)}
            </select>
          )}
        </Field>
        <Field label={t('rotations.note')} problems={action.problems('note')}>
          {(fid) => <textarea id={fid} rows={4} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
        {action.busy && <p role="status" className="notice">{t('rotations.handingOver')}</p>}
        <button type="submit" disabled={action.busy}>{t('rotations.handOver')}</button>
      </form>
      {done && <p role="status" className="notice" data-testid="hand-over-result">{t('rotations.handedOver', { count: done.cases.length, checks: done.checks })}</p>}
    </main>
  );
}
