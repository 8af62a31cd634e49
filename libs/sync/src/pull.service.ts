import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NodeIdentity } from '@hub/access';
import { PulledChange, PulledTable, PullResponse, PULLED_TABLES } from '@hub/contracts';
import { NODE_SCOPE, scopesOf } from './node-scope';

/** Upper bound of the snapshot's rows would be a paging concern; a clinic's scope is small (docs/field-node.md). */
const DEFAULT_LIMIT = 500;

interface Entry {
  seq: string;
  xid: string;
  table_name: PulledTable;
  record_id: string;
}

/**
 * Reads the change log for a node. The cursor is (xid, seq) and only entries of transactions older than every
 * transaction still in flight are returned, so an entry that commits later always sorts after the cursor.
 */
@Injectable()
export class PullService {
  constructor(private readonly dataSource: DataSource) {}

  async pull(node: NodeIdentity, cursor: string | undefined, limit = DEFAULT_LIMIT): Promise<PullResponse> {
    if (!cursor) return this.snapshot(node);
    const [xid, seq] = cursor.split(':');
    const entries: Entry[] = await this.dataSource.query(
      `SELECT c.seq, c.xid, c.table_name, c.record_id
         FROM sync_changes c
        WHERE c.scope = ANY($1) AND (c.xid, c.seq) > ($2::bigint, $3::bigint)
          AND c.xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
        ORDER BY c.xid, c.seq
        LIMIT $4`,
      [scopesOf(node), xid, seq, limit + 1],
    );
    const more = entries.length > limit;
    const page = entries.slice(0, limit);
    if (!page.length) return { changes: [], cursor, more: false };
    const last = page[page.length - 1];
    return { changes: await this.rows(node, page), cursor: `${last.xid}:${last.seq}`, more };
  }

  /**
   * Long poll (live events): answers as soon as a change for the node is readable past its cursor, or after
   * `timeoutMs` with `changed: false`. Checked once a second with the pull's own bound, so what wakes the node is
   * exactly what its next pull returns.
   */
  async wait(node: NodeIdentity, cursor: string, timeoutMs: number, gone: () => boolean): Promise<{ changed: boolean }> {
    const [xid, seq] = cursor.split(':');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [hit] = await this.dataSource.query(
        `SELECT 1 FROM sync_changes c
          WHERE c.scope = ANY($1) AND (c.xid, c.seq) > ($2::bigint, $3::bigint)
            AND c.xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
          LIMIT 1`,
        [scopesOf(node), xid, seq],
      );
      if (hit) return { changed: true };
      if (Date.now() >= deadline || gone()) return { changed: false };
      await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
    }
  }

  /** The current rows of the entries (deduplicated, in log order of their last entry); out of scope → null. */
  private async rows(node: NodeIdentity, entries: Entry[], m: EntityManager = this.dataSource.manager): Promise<PulledChange[]> {
    const lastIndex = new Map<string, number>();
    entries.forEach((e, i) => lastIndex.set(`${e.table_name}|${e.record_id}`, i));
    const byTable = new Map<PulledTable, string[]>();
    for (const key of lastIndex.keys()) {
      const [table, id] = key.split('|') as [PulledTable, string];
      if (!NODE_SCOPE[table]) continue;
      byTable.set(table, [...(byTable.get(table) ?? []), id]);
    }
    const found = new Map<string, Record<string, unknown>>();
    for (const [table, ids] of byTable) {
      const scope = NODE_SCOPE[table];
      const rows: { k: string; row: Record<string, unknown> }[] = await m.query(
        `SELECT ${scope.key} AS k, to_jsonb(t) AS row FROM ${table} t
            WHERE ${scope.key} = ANY($3::text[]) AND ${scope.where} AND $1::uuid IS NOT NULL AND $2::uuid IS NOT NULL`,
        [node.facilityId, node.missionId, ids],
      );
      for (const r of rows) found.set(`${table}|${r.k}`, r.row);
    }
    // Referenced rows first: order by table (as a snapshot applies them), then by log order.
    return [...lastIndex.entries()]
      .filter(([key]) => NODE_SCOPE[key.split('|')[0] as PulledTable])
      .sort(([a, ia], [b, ib]) => PULLED_TABLES.indexOf(a.split('|')[0] as PulledTable) - PULLED_TABLES.indexOf(b.split('|')[0] as PulledTable) || ia - ib)
      .map(([key]) => {
        const [table, id] = key.split('|') as [PulledTable, string];
        return { table, id, row: found.get(key) ?? null };
      });
  }

  /** Everything in the node's scope, read in one REPEATABLE READ snapshot; the cursor starts at its xmin. */
  private async snapshot(node: NodeIdentity): Promise<PullResponse> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const [{ xmin }] = await m.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
      const changes: PulledChange[] = [];
      for (const table of PULLED_TABLES) {
        const scope = NODE_SCOPE[table];
        const rows: { k: string; row: Record<string, unknown> }[] = await m.query(
          `SELECT ${scope.key} AS k, to_jsonb(t) AS row FROM ${table} t WHERE ${scope.where} AND $1::uuid IS NOT NULL AND $2::uuid IS NOT NULL`,
          [node.facilityId, node.missionId],
        );
        for (const r of rows) changes.push({ table, id: r.k, row: r.row });
      }
      return { changes, cursor: `${xmin}:0`, more: false };
    });
  }
}
