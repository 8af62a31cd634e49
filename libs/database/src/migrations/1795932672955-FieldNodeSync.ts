import { MigrationInterface, QueryRunner } from 'typeorm';

// Field nodes (docs/field-node.md): registered nodes, the exactly-once ledger of pushed operations, and the change
// log nodes pull. Triggers write the change log in the transaction of each change to a table a node holds, with the
// writing transaction's id, so a pull can stop before any transaction still in flight.

/** Tables nodes hold (PULLED_TABLES in libs/contracts/src/sync.ts). */
const LOGGED = [
  'missions',
  'facilities',
  'facility_missions',
  'specialties',
  'training_courses',
  'users',
  'memberships',
  'training_certificates',
  'training_waivers',
  'patients',
  'referral_cases',
  'case_transitions',
  'case_messages',
];

const SYNC_LOG = `
CREATE FUNCTION sync_log(p_scope text, p_table text, p_id text) RETURNS void LANGUAGE sql AS $fn$
  INSERT INTO sync_changes (xid, scope, table_name, record_id)
  SELECT pg_current_xact_id()::text::bigint, p_scope, p_table, p_id
   WHERE p_scope IS NOT NULL AND p_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM sync_changes c WHERE c.scope = p_scope AND c.xid = pg_current_xact_id()::text::bigint
                       AND c.table_name = p_table AND c.record_id = p_id)
$fn$`;

const SYNC_LOG_CHANGE = `
CREATE FUNCTION sync_log_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  doc jsonb;
  docs jsonb[] := '{}';
  tbl text := TG_TABLE_NAME;
  rid text;
BEGIN
  IF TG_OP <> 'DELETE' THEN docs := docs || to_jsonb(NEW); END IF;
  IF TG_OP <> 'INSERT' THEN docs := docs || to_jsonb(OLD); END IF;
  FOREACH doc IN ARRAY docs LOOP
    rid := CASE tbl WHEN 'specialties' THEN doc->>'code'
                    WHEN 'facility_missions' THEN (doc->>'facility_id') || ':' || (doc->>'mission_id')
                    ELSE doc->>'id' END;
    CASE tbl
      WHEN 'patients' THEN PERFORM sync_log('facility:' || (doc->>'current_facility_id'), tbl, rid);
      WHEN 'referral_cases' THEN PERFORM sync_log('facility:' || (doc->>'facility_id'), tbl, rid);
      WHEN 'case_messages', 'case_transitions' THEN
        PERFORM sync_log('facility:' || rc.facility_id, tbl, rid) FROM referral_cases rc WHERE rc.id = (doc->>'case_id')::uuid;
      WHEN 'memberships' THEN
        IF doc->>'facility_id' IS NOT NULL THEN
          PERFORM sync_log('facility:' || (doc->>'facility_id'), tbl, rid);
          -- a new member's user record and certifications come with the membership
          PERFORM sync_log('facility:' || (doc->>'facility_id'), 'users', doc->>'user_id');
          PERFORM sync_log('facility:' || (doc->>'facility_id'), 'training_certificates', c.id::text)
             FROM training_certificates c WHERE c.user_id = (doc->>'user_id')::uuid;
          PERFORM sync_log('facility:' || (doc->>'facility_id'), 'training_waivers', w.id::text)
             FROM training_waivers w WHERE w.user_id = (doc->>'user_id')::uuid;
        END IF;
      WHEN 'users' THEN
        PERFORM sync_log('facility:' || m.facility_id, tbl, rid) FROM memberships m WHERE m.user_id = (doc->>'id')::uuid AND m.facility_id IS NOT NULL;
      WHEN 'training_certificates', 'training_waivers' THEN
        PERFORM sync_log('facility:' || m.facility_id, tbl, rid) FROM memberships m WHERE m.user_id = (doc->>'user_id')::uuid AND m.facility_id IS NOT NULL;
      WHEN 'missions' THEN PERFORM sync_log('mission:' || rid, tbl, rid);
      WHEN 'facilities' THEN
        PERFORM sync_log('mission:' || fm.mission_id, tbl, rid) FROM facility_missions fm WHERE fm.facility_id = (doc->>'id')::uuid;
      WHEN 'facility_missions' THEN
        PERFORM sync_log('mission:' || (doc->>'mission_id'), tbl, rid);
        PERFORM sync_log('mission:' || (doc->>'mission_id'), 'facilities', doc->>'facility_id');
      WHEN 'specialties' THEN PERFORM sync_log('global', tbl, rid);
      WHEN 'training_courses' THEN PERFORM sync_log(COALESCE('mission:' || (doc->>'mission_id'), 'global'), tbl, rid);
    END CASE;
  END LOOP;
  RETURN NULL;
END
$fn$`;

export class FieldNodeSync1795932672955 implements MigrationInterface {
  name = 'FieldNodeSync1795932672955';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"field_nodes\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"mission_id\" uuid NOT NULL, \"facility_id\" uuid NOT NULL, \"name\" character varying(120) NOT NULL, \"enrolment_code_hash\" character(64), \"enrolment_expires_at\" TIMESTAMP WITH TIME ZONE, \"credential_hash\" character(64), \"enrolled_at\" TIMESTAMP WITH TIME ZONE, \"revoked_at\" TIMESTAMP WITH TIME ZONE, \"last_contact_at\" TIMESTAMP WITH TIME ZONE, \"backlog\" integer, \"version\" character varying(40), \"created_by_id\" uuid, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_42c3dc32af063154327f590f279\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"field_nodes_enrolment_code_key\" ON \"field_nodes\"  (\"enrolment_code_hash\") ");
    await queryRunner.query("CREATE UNIQUE INDEX \"field_nodes_credential_key\" ON \"field_nodes\"  (\"credential_hash\") ");
    await queryRunner.query("CREATE INDEX \"field_nodes_facility_idx\" ON \"field_nodes\"  (\"facility_id\") ");
    await queryRunner.query("CREATE TABLE \"sync_operations\" (\"op_id\" uuid NOT NULL, \"node_id\" uuid NOT NULL, \"table_name\" character varying(40) NOT NULL, \"record_id\" uuid NOT NULL, \"actor_id\" uuid, \"made_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"result\" character varying(16) NOT NULL, \"reason\" character varying(300), \"received_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_cf0a03f944cf30064f61cffda87\" PRIMARY KEY (\"op_id\"))");
    await queryRunner.query("CREATE INDEX \"sync_operations_node_idx\" ON \"sync_operations\"  (\"node_id\", \"received_at\") ");
    await queryRunner.query("CREATE TABLE \"sync_changes\" (\"seq\" BIGSERIAL NOT NULL, \"xid\" bigint NOT NULL, \"scope\" character varying(60) NOT NULL, \"table_name\" character varying(40) NOT NULL, \"record_id\" character varying(80) NOT NULL, CONSTRAINT \"PK_636cf210736a36f3ba074d499db\" PRIMARY KEY (\"seq\"))");
    await queryRunner.query("CREATE INDEX \"sync_changes_scope_idx\" ON \"sync_changes\"  (\"scope\", \"xid\", \"seq\") ");
    await queryRunner.query("ALTER TABLE \"field_nodes\" ADD CONSTRAINT \"FK_c18c340d44e6db52eb11d7f75c4\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"field_nodes\" ADD CONSTRAINT \"FK_672ed5515d264a44bb5a32ca1b1\" FOREIGN KEY (\"facility_id\") REFERENCES \"facilities\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"sync_operations\" ADD CONSTRAINT \"FK_2742218a58186d211babd049794\" FOREIGN KEY (\"node_id\") REFERENCES \"field_nodes\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query(SYNC_LOG);
    await queryRunner.query(SYNC_LOG_CHANGE);
    for (const table of LOGGED) {
      await queryRunner.query(`CREATE TRIGGER sync_log_change AFTER INSERT OR UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION sync_log_change()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...LOGGED].reverse()) await queryRunner.query(`DROP TRIGGER sync_log_change ON "${table}"`);
    await queryRunner.query('DROP FUNCTION sync_log_change()');
    await queryRunner.query('DROP FUNCTION sync_log(text, text, text)');
    await queryRunner.query("ALTER TABLE \"sync_operations\" DROP CONSTRAINT \"FK_2742218a58186d211babd049794\"");
    await queryRunner.query("ALTER TABLE \"field_nodes\" DROP CONSTRAINT \"FK_672ed5515d264a44bb5a32ca1b1\"");
    await queryRunner.query("ALTER TABLE \"field_nodes\" DROP CONSTRAINT \"FK_c18c340d44e6db52eb11d7f75c4\"");
    await queryRunner.query("DROP INDEX \"public\".\"sync_changes_scope_idx\"");
    await queryRunner.query("DROP TABLE \"sync_changes\"");
    await queryRunner.query("DROP INDEX \"public\".\"sync_operations_node_idx\"");
    await queryRunner.query("DROP TABLE \"sync_operations\"");
    await queryRunner.query("DROP INDEX \"public\".\"field_nodes_facility_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"field_nodes_credential_key\"");
    await queryRunner.query("DROP INDEX \"public\".\"field_nodes_enrolment_code_key\"");
    await queryRunner.query("DROP TABLE \"field_nodes\"");
  }
}
