import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { NodeQueuedFile, NodeQueuedOperation, NodeQueueView } from '@hub/contracts';

/**
 * The sync page's list (GET /api/node/queue): the node's outbox and file transfers as they stand, read from the
 * tables the sync loop keeps (node_outbox, node_transfers). What, when, who and which record — never the clinical
 * content of a change: the record itself opens through its own route, under the usual rules.
 */
@Injectable()
export class NodeQueue {
  constructor(private readonly dataSource: DataSource) {}

  async view(): Promise<NodeQueueView> {
    const select = `SELECT o.op_id AS "opId", o.table_name AS "table", o.record_id AS "recordId",
              CASE o.table_name WHEN 'referral_cases' THEN o.record_id::text WHEN 'case_messages' THEN o.row->>'case_id' END AS "caseId",
              o.made_at AS "madeAt", u.display_name AS "actorName", o.status, o.reason
         FROM node_outbox o LEFT JOIN users u ON u.id = o.actor_id`;
    const pending: NodeQueuedOperation[] = await this.dataSource.query(`${select} WHERE o.status = 'pending' ORDER BY o.seq LIMIT 200`);
    const attention: NodeQueuedOperation[] = await this.dataSource.query(`${select} WHERE o.status IN ('refused', 'conflict') ORDER BY o.seq DESC LIMIT 50`);
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM node_outbox WHERE status = 'pending'`);
    const files: (Omit<NodeQueuedFile, 'size' | 'receivedBytes'> & { size: string; receivedBytes: string | null })[] = await this.dataSource.query(
      `SELECT t.attachment_id AS "attachmentId", a.case_id AS "caseId", a.filename, a.size, t.direction, t.status,
              CASE WHEN t.direction = 'down' THEN a.received_bytes END AS "receivedBytes", t.reason
         FROM node_transfers t JOIN case_attachments a ON a.id = t.attachment_id
        WHERE t.status IN ('pending', 'refused')
        ORDER BY t.status, t.created_at, t.attachment_id LIMIT 200`,
    );
    const iso = (d: unknown) => new Date(d as string).toISOString();
    return {
      operations: [...pending, ...attention].map((o) => ({ ...o, madeAt: iso(o.madeAt) })),
      waiting: n,
      files: files.map((f) => ({ ...f, size: Number(f.size), receivedBytes: f.receivedBytes === null ? null : Number(f.receivedBytes) })),
    };
  }
}
