import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NodeIdentity } from '@hub/access';
import { AuditService, canonicalJson, GENESIS_HASH } from '@hub/audit';
import { DomainException } from '@hub/common';
import type { NodeAuditBatch, NodeAuditReceipt } from '@hub/contracts';

/**
 * Receives a node's sealed audit records (docs/field-node.md, "Audit on both sides"). Idempotent: a record already
 * held is skipped if identical and refused if not (a forked chain). The records of one chain must continue the
 * node's chain as the hub holds it: each one's previous seal is the one before it. The hub cannot recompute the
 * node's seals (they are keyed with the node's audit key, which never leaves the node), but it links what it
 * received into the mission's own trail: one hub record per batch and chain names the node's head seal and a
 * digest of the records, so nothing received can be changed or dropped at the hub without breaking the hub's chain.
 */
@Injectable()
export class NodeAuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async receive(node: NodeIdentity, batch: NodeAuditBatch): Promise<NodeAuditReceipt> {
    const byChain = new Map<string, NodeAuditBatch['records']>();
    for (const r of batch.records) byChain.set(r.chain, [...(byChain.get(r.chain) ?? []), r]);
    const heads: NodeAuditReceipt['heads'] = [];
    for (const [chain, records] of byChain) {
      records.sort((a, b) => Number(a.seq) - Number(b.seq));
      heads.push(
        await this.dataSource.transaction(async (m) => {
          // One batch of a node's chain at a time.
          await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`node-audit:${node.nodeId}:${chain}`]);
          const [head] = await m.query(
            // ordered by the number, not by its text (where "9" comes after "10")
            'SELECT n.seq::text AS seq, n.hash FROM node_audit_entries n WHERE n.node_id = $1 AND n.chain = $2 ORDER BY n.seq DESC LIMIT 1',
            [node.nodeId, chain],
          );
          let seq = head ? Number(head.seq) : 0;
          let hash: string = head?.hash ?? GENESIS_HASH;
          const added: typeof records = [];
          for (const r of records) {
            if (Number(r.seq) <= seq) {
              const [held] = await m.query('SELECT hash FROM node_audit_entries WHERE node_id = $1 AND chain = $2 AND seq = $3', [node.nodeId, chain, r.seq]);
              if (held && held.hash !== r.hash) throw DomainException.conflict(`records: chain ${chain} record ${r.seq} differs from the one the hub holds (a forked trail)`, 'audit_forked', { chain, seq: r.seq });
              continue;
            }
            if (Number(r.seq) !== seq + 1 || r.prevHash !== hash) {
              throw DomainException.invalid('records', `chain ${chain}: record ${r.seq} does not continue the trail the hub holds (at ${seq}); send from ${seq + 1}`);
            }
            await m.query('INSERT INTO node_audit_entries (node_id, chain, seq, prev_hash, hash, entry) VALUES ($1, $2, $3, $4, $5, $6)', [
              node.nodeId,
              chain,
              r.seq,
              r.prevHash,
              r.hash,
              r.entry,
            ]);
            added.push(r);
            seq = Number(r.seq);
            hash = r.hash;
          }
          if (added.length) {
            const digest = createHash('sha256').update(added.map((r) => canonicalJson(r)).join('\n')).digest('hex');
            await this.audit.record(
              {
                action: 'sync.node_audit',
                outcome: 'success',
                missionId: node.missionId,
                subjectType: 'FieldNode',
                subjectId: node.nodeId,
                details: { offline: true, nodeId: node.nodeId, chain, fromSeq: added[0].seq, toSeq: added[added.length - 1].seq, headHash: hash, digest, count: added.length },
              },
              m,
            );
          }
          return { chain, seq: String(seq) };
        }),
      );
    }
    return { heads };
  }
}
