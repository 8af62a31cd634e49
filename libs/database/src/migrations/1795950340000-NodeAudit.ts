import { MigrationInterface, QueryRunner } from 'typeorm';

// A field node's own audit trail, shipped to the hub with the data (docs/field-node.md, "Audit on both sides"):
// each node record as the node sealed it (its chain, place, previous and own seal), so an access made offline is
// on record at the hub. Each batch received is linked into the mission's trail by a hub record naming the node's
// chain head it reached.
export class NodeAudit1795950340000 implements MigrationInterface {
  name = 'NodeAudit1795950340000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "node_audit_entries" (
      "node_id" uuid NOT NULL,
      "chain" character varying(64) NOT NULL,
      "seq" bigint NOT NULL,
      "prev_hash" character(64) NOT NULL,
      "hash" character(64) NOT NULL,
      "entry" jsonb NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "node_audit_entries_pkey" PRIMARY KEY ("node_id", "chain", "seq"),
      CONSTRAINT "node_audit_entries_node_fkey" FOREIGN KEY ("node_id") REFERENCES "field_nodes"("id") ON DELETE RESTRICT)`);
    await q.query(`CREATE INDEX "node_audit_entries_subject_idx" ON "node_audit_entries" (("entry"->>'subject_id'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "node_audit_entries"');
  }
}
