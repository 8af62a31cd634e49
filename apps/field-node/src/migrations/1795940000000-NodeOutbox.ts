import { MigrationInterface, QueryRunner } from 'typeorm';

// A field node's own schema on top of the hub's (docs/field-node.md, "Writes on the node"): the outbox, written by
// triggers in the transaction of each change a clinic makes; the node's sync state; UUIDv7 keys for the records a
// clinic creates; local case transitions numbered far above the hub's (they are provisional until the hub's
// arrive); and no hub change log (a node reads the hub's, it keeps none of its own).

const PUSHED = ['patients', 'referral_cases', 'case_messages'];
const HUB_LOGGED = ['missions', 'facilities', 'facility_missions', 'specialties', 'training_courses', 'users', 'memberships', 'training_certificates', 'training_waivers', 'patients', 'referral_cases', 'case_transitions', 'case_messages'];
/** 2^62: hub case transitions are numbered from 1, a node's from here. */
export const LOCAL_TRANSITION_BASE = '4611686018427387904';

const CAPTURE = `
CREATE FUNCTION node_outbox_capture() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  doc jsonb := to_jsonb(NEW);
BEGIN
  INSERT INTO node_outbox (table_name, record_id, row, actor_id)
  VALUES (TG_TABLE_NAME, NEW.id, doc,
          (doc->>CASE TG_TABLE_NAME WHEN 'patients' THEN 'created_by_id' WHEN 'referral_cases' THEN 'requested_by_id' ELSE 'author_id' END)::uuid);
  RETURN NULL;
END
$fn$`;

// The services audit every change in its transaction: the audit entry names who acted (e.g. who submitted a case
// another officer drafted), which the changed row alone may not.
const ACTOR = `
CREATE FUNCTION node_outbox_actor() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.actor_id IS NOT NULL THEN
    UPDATE node_outbox SET actor_id = NEW.actor_id, actor_from_audit = true
     WHERE xid = pg_current_xact_id()::text::bigint AND NOT actor_from_audit;
  END IF;
  RETURN NULL;
END
$fn$`;

export class NodeOutbox1795940000000 implements MigrationInterface {
  name = 'NodeOutbox1795940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE node_outbox (
      seq bigserial PRIMARY KEY,
      op_id uuid NOT NULL DEFAULT uuidv7() UNIQUE,
      xid bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
      table_name varchar(40) NOT NULL,
      record_id uuid NOT NULL,
      row jsonb NOT NULL,
      actor_id uuid,
      actor_from_audit boolean NOT NULL DEFAULT false,
      made_at timestamptz NOT NULL DEFAULT now(),
      status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'duplicate', 'conflict', 'refused')),
      reason varchar(300),
      acknowledged_at timestamptz)`);
    await q.query(`CREATE INDEX node_outbox_pending_idx ON node_outbox (seq) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX node_outbox_record_idx ON node_outbox (record_id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX node_outbox_xid_idx ON node_outbox (xid)`);
    await q.query(`CREATE TABLE node_state (key varchar(60) PRIMARY KEY, value text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(CAPTURE);
    await q.query(ACTOR);
    for (const t of PUSHED) {
      await q.query(`ALTER TABLE "${t}" ALTER COLUMN id SET DEFAULT uuidv7()`);
      await q.query(`CREATE TRIGGER node_outbox_capture AFTER INSERT OR UPDATE ON "${t}" FOR EACH ROW EXECUTE FUNCTION node_outbox_capture()`);
    }
    await q.query(`CREATE TRIGGER node_outbox_actor AFTER INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION node_outbox_actor()`);
    await q.query(`ALTER TABLE case_transitions ALTER COLUMN id RESTART WITH ${LOCAL_TRANSITION_BASE}`);
    for (const t of HUB_LOGGED) await q.query(`DROP TRIGGER IF EXISTS sync_log_change ON "${t}"`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of HUB_LOGGED) await q.query(`CREATE TRIGGER sync_log_change AFTER INSERT OR UPDATE OR DELETE ON "${t}" FOR EACH ROW EXECUTE FUNCTION sync_log_change()`);
    await q.query(`DROP TRIGGER node_outbox_actor ON audit_entries`);
    for (const t of PUSHED) {
      await q.query(`DROP TRIGGER node_outbox_capture ON "${t}"`);
      await q.query(`ALTER TABLE "${t}" ALTER COLUMN id SET DEFAULT gen_random_uuid()`);
    }
    await q.query('DROP FUNCTION node_outbox_actor()');
    await q.query('DROP FUNCTION node_outbox_capture()');
    await q.query('DROP TABLE node_state');
    await q.query('DROP TABLE node_outbox');
  }
}
