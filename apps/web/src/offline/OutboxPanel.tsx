import { liveQuery } from 'dexie';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useAuth } from '../auth/AuthContext';
import { UploadList } from '../components/Uploads';
import { OutboxRow, offlineDb } from './db';
import { link } from './link';
import { discard, flushOutbox, onUploadProgress, startOutbox, uploadsOf } from './outbox';
import { S } from './strings';

/** True while the hub cannot be reached. */
export function useLinkDown(): boolean {
  return useSyncExternalStore(link.onChange, link.isDown);
}

/**
 * Under the top bar: says when the link is down, and lists what waits in this device's outbox (with upload progress)
 * until the hub has it. It also runs the outbox for the signed-in user.
 */
export function OutboxPanel() {
  const { user } = useAuth();
  const uid = user?.id;
  const down = useLinkDown();
  const [rows, setRows] = useState<OutboxRow[]>([]);
  const [, setTick] = useState(0);
  useEffect(() => (uid ? startOutbox(uid) : undefined), [uid]);
  useEffect(() => {
    if (!uid) return;
    const sub = liveQuery(() => offlineDb.outbox.where('userId').equals(uid).sortBy('createdAt')).subscribe({ next: setRows, error: () => setRows([]) });
    return () => sub.unsubscribe();
  }, [uid]);
  useEffect(() => onUploadProgress(() => setTick((t) => t + 1)), []);

  if (!uid || (!rows.length && !down)) return null;
  return (
    <section className="outbox" aria-label={S.outboxLabel} data-testid="outbox">
      {down && <p className="outbox-link" data-testid="link-down">{S.linkDown}</p>}
      {rows.length > 0 && (
        <>
          <strong>{S.outboxTitle(rows.length)}</strong>
          <ul>
            {rows.map((r) => (
              <li key={r.id} data-testid="outbox-item">
                <span>{r.label}</span>{' '}
                <span className={r.state === 'refused' ? 'field-error' : 'muted'}>
                  — {r.state === 'refused' ? S.outboxRefused : r.state === 'sending' ? S.outboxSending : S.outboxWaiting}
                  {r.note && r.note !== S.outboxWaiting ? `: ${r.note}` : ''}
                </span>
                {r.state === 'refused' ? (
                  <button type="button" className="small secondary" onClick={() => void discard(r.id)}>{S.discard}</button>
                ) : r.state === 'waiting' ? (
                  <button type="button" className="small secondary" onClick={() => void flushOutbox()}>{S.sendNow}</button>
                ) : null}
                <UploadList items={uploadsOf(r.id)} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
