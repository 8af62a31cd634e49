import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessScope } from '@hub/access';
import type { NotificationCode, NotificationKind, NotificationParams, NotificationView } from '@hub/contracts';
import { Notification } from './notification.entity';
import { NotificationsRepository } from './notifications.repository';
import { userRoom } from './notifications.gateway';
import { SocketPushes } from './socket-pushes';

const view = (n: Notification): NotificationView => ({
  id: n.id,
  kind: n.kind as NotificationKind,
  caseId: n.caseId,
  text: n.text,
  code: n.code ?? null,
  params: n.params ?? null,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt?.toISOString() ?? null,
});

@Injectable()
export class NotificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pushes: SocketPushes,
    private readonly repository: NotificationsRepository,
  ) {}

  /**
   * Stores one notification per recipient and its socket push (in the outbox), in the caller's transaction: both
   * commit with the change that caused them, or neither does. Texts carry no patient data: they name the case by its
   * reference only. Call publish() with the result once the transaction has committed: the pushes go out at once
   * (otherwise within a second, from whichever instance polls first). A client never hears of something that was
   * rolled back. Outside a transaction (`dataSource.manager`) it opens one of its own.
   */
  async record(
    recipients: string[],
    n: { kind: NotificationKind; caseId: string | null; text: string; code?: NotificationCode; params?: NotificationParams },
    manager: EntityManager,
  ): Promise<Notification[]> {
    const ids = [...new Set(recipients)];
    if (!ids.length) return [];
    if (!manager.queryRunner?.isTransactionActive) return this.dataSource.transaction((m) => this.record(recipients, n, m));
    const { code, params, ...rest } = n;
    const saved = await manager
      .getRepository(Notification)
      .save(ids.map((userId) => manager.create(Notification, { userId, ...rest, code: code ?? (n.kind as NotificationCode), params: params ?? null })));
    await this.pushes.enqueue(manager, saved.map((s) => ({ rooms: [userRoom(s.userId)], event: 'notification', data: view(s) })));
    return saved;
  }

  /** Delivers the pushes of `saved` as soon as the transaction that stored them has committed. */
  publish(saved: Notification[]): void {
    if (saved.length) this.pushes.deliverAfterCommit();
  }

  /** The caller's notifications (the notification policy's `recipient` rule: nobody else's). */
  async list(scope: AccessScope<'Notification'>, unreadOnly: boolean): Promise<NotificationView[]> {
    return (await this.repository.list(scope, unreadOnly)).map(view);
  }

  async markRead(scope: AccessScope<'Notification'>, ids: string[]): Promise<void> {
    await this.repository.markRead(scope, ids, new Date());
  }
}
