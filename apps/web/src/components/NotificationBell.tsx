import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { NotificationView } from '@hub/contracts';
import { get } from '../api/client';
import { connectNotifications, disconnectNotifications, onNotification } from '../api/socket';

/** Unread count, kept live over the notifications socket (open while the bell is shown, i.e. while signed in). */
export function NotificationBell() {
  const [unread, setUnread] = useState(0);
  const [last, setLast] = useState<string | null>(null);
  useEffect(() => {
    connectNotifications();
    get<NotificationView[]>('/api/notifications?unread=true').then((l) => setUnread(l.length)).catch(() => undefined);
    const off = onNotification((n) => {
      setUnread((u) => u + 1);
      setLast(n.text);
    });
    return () => {
      off();
      disconnectNotifications();
    };
  }, []);
  return (
    <Link to="/notifications" className="bell" title={last ?? 'Notifications'} data-testid="notification-bell">
      Notifications{unread > 0 && <span className="count" aria-label={`${unread} unread`}>{unread}</span>}
    </Link>
  );
}
