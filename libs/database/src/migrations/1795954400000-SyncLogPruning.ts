import { MigrationInterface, QueryRunner } from 'typeorm';

// Pruning of the hub's change log (docs/field-node.md, "Pruning the change log"): when each entry was written, the
// last cursor each node pulled from (what it has applied), and per scope the newest entry pruned, so a node whose
// cursor is older than that is told to take a fresh snapshot instead of silently missing changes.
export class SyncLogPruning1795954400000 implements MigrationInterface {
  name = 'SyncLogPruning1795954400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_changes" ADD "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
    await q.query(`CREATE TABLE sync_node_cursors (
      node_id uuid PRIMARY KEY REFERENCES field_nodes(id) ON DELETE CASCADE,
      xid bigint NOT NULL,
      seq bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE sync_log_horizons (
      scope varchar(60) PRIMARY KEY,
      xid bigint NOT NULL,
      seq bigint NOT NULL,
      pruned_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sync_log_horizons');
    await q.query('DROP TABLE sync_node_cursors');
    await q.query('ALTER TABLE "sync_changes" DROP COLUMN "created_at"');
  }
}
