import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { NotificationView } from '@hub/contracts';
import { post } from '../api/client';
import { onNotification } from '../api/socket';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { formatDateTime } from '../i18n/format';
import { notificationText } from '../i18n/notifications';

export function NotificationsPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('notifications.title'));
  const list = useApi<NotificationView[]>('/api/notifications');
  useEffect(() => onNotification(() => void list.reload()), [list.reload]);
  const unread = list.data?.filter((n) => !n.readAt) ?? [];
  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{t('notifications.title')}</h1>
      {list.error && <div role="alert" className="alert">{list.error}</div>}
      {unread.length > 0 && (
        <button className="secondary" onClick={async () => { await post('/api/notifications/read', { ids: unread.map((n) => n.id) }); void list.reload(); }}>
          {t('notifications.markAllRead')}
        </button>
      )}
      {list.data && !list.data.length && <p className="muted">{t('notifications.empty')}</p>}
      <ul className="notifications" data-testid="notifications">
        {list.data?.map((n) => (
          <li key={n.id} className={n.readAt ? 'read' : 'unread'}>
            <span className="muted">{formatDateTime(n.createdAt)}</span>{' '}
            {n.caseId ? <Link to={`/cases/${n.caseId}`}>{notificationText(t, n)}</Link> : notificationText(t, n)}
          </li>
        ))}
      </ul>
    </main>
  );
}

