import { MigrationInterface, QueryRunner } from 'typeorm';

// Attachments to and from the hub (docs/field-node.md, "Attachments"): one transfer per file, queued by a trigger
// when a file attached on the node is complete (in the transaction that completes it), or by the sync loop when a
// file of the facility's cases arrives from the hub. Rows applied from the hub run in replica mode and fire no
// trigger, so a file that came down is never sent back up.

const QUEUE = `
CREATE FUNCTION node_transfer_queue() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.status = 'ready' THEN
    INSERT INTO node_transfers (attachment_id, direction) VALUES (NEW.id, 'up')
    ON CONFLICT (attachment_id) DO UPDATE SET relink = true WHERE node_transfers.direction = 'up';
  END IF;
  RETURN NULL;
END
$fn$`;

export class NodeTransfers1795950320000 implements MigrationInterface {
  name = 'NodeTransfers1795950320000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE node_transfers (
      attachment_id uuid PRIMARY KEY,
      direction varchar(4) NOT NULL CHECK (direction IN ('up', 'down')),
      status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'refused')),
      thumb_done boolean NOT NULL DEFAULT false,
      relink boolean NOT NULL DEFAULT false,
      reason varchar(300),
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      done_at timestamptz)`);
    await q.query(`CREATE INDEX node_transfers_pending_idx ON node_transfers (direction) WHERE status = 'pending' OR relink`);
    await q.query(QUEUE);
    await q.query(`CREATE TRIGGER node_transfer_queue AFTER INSERT OR UPDATE ON case_attachments FOR EACH ROW EXECUTE FUNCTION node_transfer_queue()`);
    // A node keeps no change log of its own (NodeOutbox1795940000000 dropped the others).
    await q.query('DROP TRIGGER IF EXISTS sync_log_change ON case_attachments');
    await q.query('DROP TRIGGER IF EXISTS sync_log_change_update ON case_attachments');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TRIGGER sync_log_change AFTER INSERT OR DELETE ON case_attachments FOR EACH ROW EXECUTE FUNCTION sync_log_change()`);
    await q.query(`CREATE TRIGGER sync_log_change_update AFTER UPDATE ON case_attachments FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.has_thumbnail IS DISTINCT FROM NEW.has_thumbnail OR OLD.message_id IS DISTINCT FROM NEW.message_id)
      EXECUTE FUNCTION sync_log_change()`);
    await q.query('DROP TRIGGER node_transfer_queue ON case_attachments');
    await q.query('DROP FUNCTION node_transfer_queue()');
    await q.query('DROP TABLE node_transfers');
  }
}
