import { MigrationInterface, QueryRunner } from 'typeorm';

// Attachments over a field node's link (docs/field-node.md, "Attachments"): the bytes of a node's upload the hub
// has received so far (the doctor sees "photo arriving (42 %)"), the change log extended to case attachments (so
// files added on the hub go down to the clinic's node), and the per-mission bandwidth budget of nodes.

/** The change-log trigger of FieldNodeSync1795932672955 with case_attachments logged like case_messages. */
const WITH_ATTACHMENTS = `
CREATE OR REPLACE FUNCTION sync_log_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
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
      WHEN 'case_messages', 'case_transitions', 'case_attachments' THEN
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

/** The same function as FieldNodeSync1795932672955 created it, for down(). */
const WITHOUT_ATTACHMENTS = `
CREATE OR REPLACE FUNCTION sync_log_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
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

export class NodeAttachments1795950300000 implements MigrationInterface {
  name = 'NodeAttachments1795950300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "case_attachments" ADD "received_bytes" bigint');
    await q.query(WITH_ATTACHMENTS);
    // Not on every chunk received: only what a node shows (a new file, its state, its thumbnail, its message).
    await q.query('CREATE TRIGGER sync_log_change AFTER INSERT OR DELETE ON "case_attachments" FOR EACH ROW EXECUTE FUNCTION sync_log_change()');
    await q.query(`CREATE TRIGGER sync_log_change_update AFTER UPDATE ON "case_attachments" FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.has_thumbnail IS DISTINCT FROM NEW.has_thumbnail OR OLD.message_id IS DISTINCT FROM NEW.message_id)
      EXECUTE FUNCTION sync_log_change()`);
    await q.query(`CREATE TABLE "node_budgets" (
      "mission_id" uuid NOT NULL,
      "rate_kbps" integer,
      "daily_megabytes" integer,
      "updated_by_id" uuid,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "node_budgets_pkey" PRIMARY KEY ("mission_id"),
      CONSTRAINT "node_budgets_rate_check" CHECK ("rate_kbps" IS NULL OR "rate_kbps" BETWEEN 8 AND 1000000),
      CONSTRAINT "node_budgets_daily_check" CHECK ("daily_megabytes" IS NULL OR "daily_megabytes" BETWEEN 1 AND 1000000),
      CONSTRAINT "node_budgets_mission_fkey" FOREIGN KEY ("mission_id") REFERENCES "missions"("id") ON DELETE CASCADE)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "node_budgets"');
    await q.query('DROP TRIGGER sync_log_change_update ON "case_attachments"');
    await q.query('DROP TRIGGER sync_log_change ON "case_attachments"');
    await q.query(WITHOUT_ATTACHMENTS);
    await q.query('ALTER TABLE "case_attachments" DROP COLUMN "received_bytes"');
  }
}
