import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import type { NotificationView } from '@hub/contracts';
import { get, post } from '../api/client';
import { onNotification } from '../api/socket';
import { useLoad } from '../components/useLoad';

export function NotificationsPage() {
  const list = useLoad(() => get<NotificationView[]>('/api/notifications'));
  useEffect(() => onNotification(() => list.reload()), [list.reload]);
  const unread = list.data?.filter((n) => !n.readAt) ?? [];
  return (
    <main className="page">
      <h1>Notifications</h1>
      {unread.length > 0 && (
        <button className="secondary" onClick={async () => { await post('/api/notifications/read', { ids: unread.map((n) => n.id) }); list.reload(); }}>
          Mark all as read
        </button>
      )}
      <ul className="notifications">
        {list.data?.map((n) => (
          <li key={n.id} className={n.readAt ? 'read' : 'unread'}>
            <span className="muted">{new Date(n.createdAt).toLocaleString()}</span>{' '}
            {n.caseId ? <Link to={`/cases/${n.caseId}`}>{n.text}</Link> : n.text}
          </li>
        ))}
      </ul>
    </main>
  );
}
