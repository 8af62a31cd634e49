import { DataSource } from 'typeorm';
import type { NodeAuditBatch, NodeAuditReceipt } from '@hub/contracts';

/**
 * Ships the node's own sealed audit records to the hub (docs/field-node.md, "Audit on both sides"), chain by
 * chain in seal order, from the last record the hub acknowledged (kept in node_state, and corrected from the hub's
 * answer). Records are shipped only once sealed, so what the hub holds is the node's chain as sealed.
 */
export class NodeAuditShipper {
  constructor(
    private readonly dataSource: DataSource,
    private readonly send: (batch: NodeAuditBatch) => Promise<NodeAuditReceipt>,
    private readonly maxBatchBytes = 48_000,
  ) {}

  async shipAll(): Promise<void> {
    for (;;) {
      const shipped = new Map<string, string>(
        (await this.dataSource.query(`SELECT substr(key, 12) AS chain, value FROM node_state WHERE key LIKE 'audit_sent:%'`)).map((r: { chain: string; value: string }) => [r.chain, r.value]),
      );
      const rows: { chain: string; seq: string; prev_hash: string; hash: string; entry: Record<string, unknown> }[] = await this.dataSource.query(
        `SELECT s.chain, s.seq::text AS seq, s.prev_hash, s.hash, to_jsonb(e) AS entry
           FROM audit_seals s JOIN audit_entries e ON e.id = s.entry_id
          WHERE s.seq > COALESCE((SELECT value::bigint FROM node_state WHERE key = 'audit_sent:' || s.chain), 0)
          ORDER BY s.chain, s.seq
          LIMIT 200`,
      );
      if (!rows.length) return;
      const records: NodeAuditBatch['records'] = [];
      let bytes = 0;
      for (const r of rows) {
        const record = { chain: r.chain, seq: r.seq, prevHash: r.prev_hash, hash: r.hash, entry: r.entry };
        bytes += JSON.stringify(record).length;
        if (records.length && bytes > this.maxBatchBytes) break;
        records.push(record);
      }
      let receipt: NodeAuditReceipt;
      try {
        receipt = await this.send({ records });
      } catch (e) {
        // "does not continue the trail": the hub tells where it stands in the message; start again from what it holds.
        const match = /send from (\d+)/.exec(e instanceof Error ? e.message : '');
        if (!match) throw e;
        await this.save(records[0].chain, String(Number(match[1]) - 1));
        continue;
      }
      for (const h of receipt.heads) await this.save(h.chain, h.seq);
      if (receipt.heads.every((h) => shipped.get(h.chain) === h.seq)) return; // no progress: stop for this round
    }
  }

  private async save(chain: string, seq: string) {
    await this.dataSource.query(
      `INSERT INTO node_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [`audit_sent:${chain}`, seq],
    );
  }
}
