import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { NotificationView } from '@hub/contracts';
import { get } from '../api/client';
import { connectNotifications, disconnectNotifications, onNotification } from '../api/socket';
import { notificationText } from '../i18n/notifications';
import { afterFirstScreen } from './first-screen';

/** Unread count, kept live over the notifications socket (open while the bell is shown, i.e. while signed in). */
export function NotificationBell() {
  const { t } = useTranslation();
  const [unread, setUnread] = useState(0);
  const [last, setLast] = useState<NotificationView | null>(null);
  useEffect(() => {
    const off = onNotification((n) => {
      setUnread((u) => u + 1);
      setLast(n);
    });
    // The socket (socket.io-client) and the count wait until the first screen has arrived on a slow link.
    let connected = false;
    const cancel = afterFirstScreen(() => {
      connected = true;
      connectNotifications();
      get<NotificationView[]>('/api/notifications?unread=true').then((l) => setUnread(l.length)).catch(() => undefined);
    });
    return () => {
      cancel();
      off();
      if (connected) disconnectNotifications();
    };
  }, []);
  return (
    <Link to="/notifications" className="bell" title={last ? notificationText(t, last) : t('notifications.title')} data-testid="notification-bell">
      {t('notifications.title')}
      {unread > 0 && <span className="count" aria-label={t('notifications.unread', { count: unread })}>{unread}</span>}
    </Link>
  );
}
