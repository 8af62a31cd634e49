import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessScope, Action } from '@hub/access';
import { Notification } from './notification.entity';

/**
 * Reads and marks of notifications, each through the caller's `AccessScope<'Notification'>` (the notification
 * policy: `recipient`, and `recipient-only` refusing anyone else's, a system administrator's included).
 */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(scope: AccessScope<'Notification'>, unreadOnly: boolean, limit = 100): Promise<Notification[]> {
    const params: unknown[] = [];
    const where = scope.where('n', params);
    params.push(limit);
    return this.dataSource.query(
      `SELECT n.id, n.user_id AS "userId", n.case_id AS "caseId", n.kind, n.text, n.code, n.params, n.created_at AS "createdAt", n.read_at AS "readAt"
         FROM notifications n WHERE ${where}${unreadOnly ? ' AND n.read_at IS NULL' : ''} ORDER BY n.created_at DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** Marks those of `ids` the caller may update (their own) read; returns how many changed. */
  async markRead(scope: AccessScope<'Notification'>, ids: string[], at: Date): Promise<number> {
    const params: unknown[] = [ids, at];
    const where = scope.where('n', params, { action: Action.Update });
    const [, affected] = await this.dataSource.query(`UPDATE notifications n SET read_at = $2 WHERE n.id = ANY($1::uuid[]) AND n.read_at IS NULL AND ${where}`, params);
    return Number(affected ?? 0);
  }
}
