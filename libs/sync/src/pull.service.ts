import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NodeIdentity } from '@hub/access';
import { DomainException } from '@hub/common';
import { PulledChange, PulledTable, PullResponse, PULLED_TABLES } from '@hub/contracts';
import { NODE_SCOPE, scopesOf } from './node-scope';

/** Changes per page of the log, and rows per page of a snapshot. */
const DEFAULT_LIMIT = 500;
/** A snapshot page stops at about this much JSON, so it fits between cuts of a slow link (compressed on the wire). */
export const SNAPSHOT_PAGE_BYTES = 128 * 1024;

interface Entry {
  seq: string;
  xid: string;
  table_name: PulledTable;
  record_id: string;
}

/** Where a snapshot stands: its base (the xmin when it began), the table it is in, the last key it sent there. */
interface SnapshotCursor {
  base: string;
  table: number;
  after: string;
}

const SNAPSHOT_CURSOR = /^s:(\d{1,19}):(\d{1,2}):([A-Za-z0-9_-]{0,400})$/;

export function snapshotCursor(c: SnapshotCursor): string {
  return `s:${c.base}:${c.table}:${Buffer.from(c.after).toString('base64url')}`;
}

function parseSnapshotCursor(cursor: string): SnapshotCursor | null {
  const m = SNAPSHOT_CURSOR.exec(cursor);
  if (!m || Number(m[2]) >= PULLED_TABLES.length) return null;
  return { base: m[1], table: Number(m[2]), after: Buffer.from(m[3], 'base64url').toString() };
}

/**
 * Reads the change log for a node. The cursor is (xid, seq) and only entries of transactions older than every
 * transaction still in flight are returned, so an entry that commits later always sorts after the cursor. A node
 * without a cursor, or whose cursor is older than the pruned part of the log, pages through a snapshot first.
 */
@Injectable()
export class PullService {
  constructor(private readonly dataSource: DataSource) {}

  async pull(node: NodeIdentity, cursor: string | undefined, limit = DEFAULT_LIMIT): Promise<PullResponse> {
    if (!cursor) return this.snapshot(node, null, limit, true);
    if (cursor.startsWith('s:')) {
      const at = parseSnapshotCursor(cursor);
      if (!at) throw DomainException.invalid('cursor', 'cursor must be the cursor returned by the previous pull');
      return this.snapshot(node, at, limit, false);
    }
    const [xid, seq] = cursor.split(':');
    // The log no longer reaches back to this cursor (pruned): the node takes a fresh snapshot, page by page.
    if (await this.behindHorizon(node, xid, seq)) return this.snapshot(node, null, limit, true);
    // What the node sends is what it has applied: entries up to here may be pruned as far as it is concerned.
    await this.dataSource.query(
      `INSERT INTO sync_node_cursors (node_id, xid, seq) VALUES ($1, $2, $3)
       ON CONFLICT (node_id) DO UPDATE SET xid = EXCLUDED.xid, seq = EXCLUDED.seq, updated_at = now()`,
      [node.nodeId, xid, seq],
    );
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

  /** Whether entries past this cursor in one of the node's scopes were pruned (sync_log_horizons). */
  private async behindHorizon(node: NodeIdentity, xid: string, seq: string): Promise<boolean> {
    const [pruned] = await this.dataSource.query(
      `SELECT 1 FROM sync_log_horizons WHERE scope = ANY($1) AND (xid, seq) > ($2::bigint, $3::bigint) LIMIT 1`,
      [scopesOf(node), xid, seq],
    );
    return !!pruned;
  }

  /**
   * Long poll (live events): answers as soon as a change for the node is readable past its cursor, or after
   * `timeoutMs` with `changed: false`. Checked once a second with the pull's own bound, so what wakes the node is
   * exactly what its next pull returns.
   */
  async wait(node: NodeIdentity, cursor: string, timeoutMs: number, gone: () => boolean): Promise<{ changed: boolean }> {
    const [xid, seq] = cursor.split(':');
    const deadline = Date.now() + timeoutMs;
    // Behind the pruned log: its next pull starts a fresh snapshot at once.
    if (await this.behindHorizon(node, xid, seq)) return { changed: true };
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

  /**
   * One page of everything in the node's scope, table by table (referenced tables first), in key order from where
   * the previous page stopped. Pages are read at different moments, not in one snapshot: the base is the oldest
   * transaction in flight when the snapshot began, so every change a page may have missed (committed after the base)
   * is in the log past (base, 0), where the node continues once the last page is applied. Resumable after a cut
   * from the last cursor the node stored.
   */
  private async snapshot(node: NodeIdentity, from: SnapshotCursor | null, limit: number, restart: boolean): Promise<PullResponse> {
    let at = from;
    if (!at) {
      const [{ xmin }] = await this.dataSource.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
      at = { base: xmin, table: 0, after: '' };
    }
    const changes: PulledChange[] = [];
    let bytes = 0;
    let { table, after } = at;
    while (table < PULLED_TABLES.length) {
      const name = PULLED_TABLES[table];
      const scope = NODE_SCOPE[name];
      const want = limit - changes.length;
      const rows: { k: string; row: Record<string, unknown> }[] = await this.dataSource.query(
        `SELECT x.k, x.doc AS "row" FROM (SELECT ${scope.key} AS k, to_jsonb(t) AS doc FROM ${name} t
            WHERE ${scope.where} AND $1::uuid IS NOT NULL AND $2::uuid IS NOT NULL) x
          WHERE x.k COLLATE "C" > $3 ORDER BY x.k COLLATE "C" LIMIT $4`,
        [node.facilityId, node.missionId, after, want + 1],
      );
      for (const r of rows) {
        const size = JSON.stringify(r.row).length;
        if (changes.length >= limit || (changes.length && bytes + size > SNAPSHOT_PAGE_BYTES)) {
          return { changes, cursor: snapshotCursor({ base: at.base, table, after }), more: true, snapshot: { restart, done: false } };
        }
        changes.push({ table: name, id: r.k, row: r.row });
        bytes += size;
        after = r.k;
      }
      if (rows.length <= want) {
        table++;
        after = '';
      }
    }
    // The last page: the log follows from the base (entries the pages already reflected come again: harmless upserts).
    return { changes, cursor: `${at.base}:0`, more: true, snapshot: { restart, done: true } };
  }
}
