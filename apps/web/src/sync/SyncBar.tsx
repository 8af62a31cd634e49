import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { statusSentence, useNodeStatus } from './nodeStatus';

/**
 * Under the top bar, on a field node only: where the node stands with the hub, live ("Connected to hub · 3 changes
 * waiting · photo 2 of 5, 61 %", "Offline since 09:12 — your work is saved on this node"), and a way to the sync
 * page. On the hub the status route does not exist and the bar renders nothing.
 */
export function SyncBar() {
  const { t } = useTranslation();
  const { status } = useNodeStatus();
  if (!status) return null;
  const attention = status.attention.length;
  return (
    <section className={`sync-bar ${status.state}`} aria-label={t('sync.barLabel')} data-testid="sync-bar" data-state={status.state}>
      <span role="status" data-testid="sync-status">{statusSentence(t, status)}</span>
      {attention > 0 && (
        <Link to="/sync" className="sync-attention" data-testid="sync-attention">
          {t('sync.attention', { count: attention })}
        </Link>
      )}
      <Link to="/sync">{t('sync.details')}</Link>
    </section>
  );
}

export default SyncBar;
