import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { NodeQueuedOperation, NodeStatusView } from '@hub/contracts';
import { usePageTitle } from '../components/usePageTitle';
import { errorText } from '../i18n/errors';
import { formatDateTime, formatNumber } from '../i18n/format';
import { momentText, statusSentence, useNodeQueue, useNodeStatus } from './nodeStatus';

const kb = (bytes: number) => `${formatNumber(bytes / 1024, bytes < 10_240 ? 1 : 0)} kB`;

/**
 * The node's sync page (/sync): the state in words, the last successful sync, the changes waiting in the outbox, the
 * files in flight with their progress, and what the hub refused or kept as a conflict, in sentences. Live: the
 * status and the list are polled while the page is open.
 */
export function SyncPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('sync.title'));
  const { status, error, pending } = useNodeStatus();
  const queue = useNodeQueue(!!status);
  const q = queue.data;
  const what = (table: string) => (['patients', 'referral_cases', 'case_messages'].includes(table) ? t(`sync.what.${table}`) : table);
  const recordLink = (o: Pick<NodeQueuedOperation, 'caseId' | 'table'>) =>
    o.caseId ? <Link to={`/cases/${o.caseId}`}>{t('sync.open')}</Link> : o.table === 'patients' ? <Link to="/patients">{t('sync.open')}</Link> : null;
  const attention = q?.operations.filter((o) => o.status !== 'pending') ?? [];
  const waiting = q?.operations.filter((o) => o.status === 'pending') ?? [];
  const refusedFiles = q?.files.filter((f) => f.status === 'refused') ?? [];
  const files = q?.files.filter((f) => f.status === 'pending') ?? [];
  const current = status?.files.current ?? null;

  return (
    <main className="page sync-page">
      <h1 ref={heading} tabIndex={-1}>{t('sync.title')}</h1>
      {pending && <p className="muted">{t('sync.loading')}</p>}
      {!pending && !status && !error && <p data-testid="sync-on-hub">{t('sync.onHub')}</p>}
      {!status && !!error && <div role="alert" className="alert">{t('sync.unreachable', { detail: errorText(t, error) })}</div>}
      {status && (
        <>
          <section className={`card sync-state ${status.state}`} data-testid="sync-page-state">
            <p><strong>{statusSentence(t, status)}</strong></p>
            <StateExplained status={status} />
            <p>{status.lastSyncAt ? t('sync.lastSync', { time: formatDateTime(status.lastSyncAt) }) : t('sync.noSyncYet')}</p>
          </section>

          <section className="card" aria-label={t('sync.attentionTitle')} data-testid="sync-page-attention">
            <h2>{t('sync.attentionTitle')}</h2>
            {attention.length + refusedFiles.length === 0 ? (
              <p className="muted">{t('sync.attentionEmpty')}</p>
            ) : (
              <ul>
                {attention.map((o) => (
                  <li key={o.opId} className={o.status}>
                    {t(o.status === 'conflict' ? 'sync.conflict' : 'sync.refused', { what: what(o.table), reason: o.reason ?? t('sync.noReason') })}{' '}
                    <span className="muted">({formatDateTime(o.madeAt)}{o.actorName ? `, ${o.actorName}` : ''})</span> {recordLink(o)}
                  </li>
                ))}
                {refusedFiles.map((f) => (
                  <li key={f.attachmentId} className="refused">
                    {t('sync.fileRefused', { filename: f.filename, reason: f.reason ?? t('sync.noReason') })} <Link to={`/cases/${f.caseId}`}>{t('sync.open')}</Link>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className="card" aria-label={t('sync.queueTitle')} data-testid="sync-page-queue">
            <h2>{t('sync.queueTitle')} ({t('sync.waiting', { count: status.waiting })})</h2>
            {waiting.length === 0 ? (
              <p className="muted">{t('sync.queueEmpty')}</p>
            ) : (
              <table>
                <thead><tr><th>{t('sync.columns.what')}</th><th>{t('sync.columns.madeAt')}</th><th>{t('sync.columns.by')}</th><th>{t('sync.columns.record')}</th></tr></thead>
                <tbody>
                  {waiting.map((o) => (
                    <tr key={o.opId}><td>{what(o.table)}</td><td>{momentText(o.madeAt)}</td><td>{o.actorName ?? '—'}</td><td>{recordLink(o)}</td></tr>
                  ))}
                </tbody>
              </table>
            )}
            {q && q.waiting > waiting.length && <p className="muted">{t('sync.queueMore', { count: q.waiting - waiting.length })}</p>}
          </section>

          <section className="card" aria-label={t('sync.filesTitle')} data-testid="sync-page-files">
            <h2>{t('sync.filesTitle')}</h2>
            {current && (
              <p data-testid="sync-current-file">
                {t('sync.moving', { filename: current.filename, direction: t(current.direction === 'up' ? 'sync.toHub' : 'sync.fromHub'), percent: formatNumber(current.percent) })}{' '}
                <progress max={100} value={current.percent} />
              </p>
            )}
            {files.length === 0 ? (
              <p className="muted">{t('sync.filesEmpty')}</p>
            ) : (
              <table>
                <thead><tr><th>{t('sync.columns.file')}</th><th>{t('sync.columns.direction')}</th><th>{t('sync.columns.size')}</th><th>{t('sync.columns.progress')}</th></tr></thead>
                <tbody>
                  {files.map((f) => {
                    const moving = current && current.filename === f.filename && current.direction === f.direction;
                    const percent = moving && current ? current.percent : f.receivedBytes !== null && f.size ? Math.floor((f.receivedBytes / f.size) * 100) : null;
                    return (
                      <tr key={f.attachmentId}>
                        <td><Link to={`/cases/${f.caseId}`}>{f.filename}</Link></td>
                        <td>{t(f.direction === 'up' ? 'sync.toHub' : 'sync.fromHub')}</td>
                        <td>{kb(f.size)}</td>
                        <td>{percent === null ? t('sync.queued') : <><progress max={100} value={percent} /> {t('sync.received', { percent: formatNumber(percent) })}</>}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </main>
  );
}

function StateExplained({ status }: { status: NodeStatusView }) {
  const { t } = useTranslation();
  if (status.state === 'offline') return <p>{t('sync.offlineExplained')}{status.offlineSince ? ` (${momentText(status.offlineSince)})` : ''}</p>;
  if (status.state === 'not_enrolled') return <p>{t('sync.notEnrolledExplained')}</p>;
  return null;
}

export default SyncPage;
