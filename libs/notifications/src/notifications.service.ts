import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import type { NotificationCode, NotificationKind, NotificationParams, NotificationView } from '@hub/contracts';
import { afterCommit } from '@hub/database';
import { Notification } from './notification.entity';
import { NotificationsGateway } from './notifications.gateway';

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
    private readonly gateway: NotificationsGateway,
  ) {}

  /**
   * Stores one notification per recipient, in the caller's transaction. Texts carry no patient data: they name the
   * case by its reference only. Call publish() with the result once the transaction has committed, so a client never
   * hears of something that was rolled back.
   */
  async record(
    recipients: string[],
    n: { kind: NotificationKind; caseId: string | null; text: string; code?: NotificationCode; params?: NotificationParams },
    manager: EntityManager,
  ): Promise<Notification[]> {
    const ids = [...new Set(recipients)];
    if (!ids.length) return [];
    const { code, params, ...rest } = n;
    return manager
      .getRepository(Notification)
      .save(ids.map((userId) => manager.create(Notification, { userId, ...rest, code: code ?? (n.kind as NotificationCode), params: params ?? null })));
  }

  publish(saved: Notification[]): void {
    afterCommit(() => {
      for (const s of saved) this.gateway.emitTo([s.userId], view(s));
    });
  }

  async list(userId: string, unreadOnly: boolean): Promise<NotificationView[]> {
    const rows = await this.dataSource.getRepository(Notification).find({
      where: { userId, ...(unreadOnly ? { readAt: IsNull() } : {}) },
      order: { createdAt: 'DESC' },
      take: 100,
    });
    return rows.map(view);
  }

  async markRead(userId: string, ids: string[]): Promise<void> {
    await this.dataSource.getRepository(Notification).update({ userId, id: In(ids), readAt: IsNull() }, { readAt: new Date() });
  }
}
