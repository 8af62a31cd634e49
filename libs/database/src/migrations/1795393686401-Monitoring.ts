import { MigrationInterface, QueryRunner } from 'typeorm';

export class Monitoring1795393686401 implements MigrationInterface {
  name = 'Monitoring1795393686401';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"case_facts\" (\"case_id\" uuid NOT NULL, \"mission_id\" uuid NOT NULL, \"facility_id\" uuid NOT NULL, \"specialty_code\" character varying(40) NOT NULL, \"urgency\" character varying(16) NOT NULL, \"status\" character varying(24) NOT NULL, \"submitted_at\" TIMESTAMP WITH TIME ZONE, \"accepted_at\" TIMESTAMP WITH TIME ZONE, \"answered_at\" TIMESTAMP WITH TIME ZONE, \"closed_at\" TIMESTAMP WITH TIME ZONE, \"sla_minutes\" integer, \"accept_minutes\" double precision, \"answer_minutes\" double precision, \"answered_on_time\" boolean, \"reference_facility_id\" uuid, \"escalation_level\" smallint NOT NULL DEFAULT '0', \"outcome\" character varying(24), \"evacuation_recommended\" boolean NOT NULL DEFAULT false, \"evacuation_done\" boolean NOT NULL DEFAULT false, \"evacuation_avoided\" boolean NOT NULL DEFAULT false, CONSTRAINT \"PK_c6fb4ce27c560295e981e770756\" PRIMARY KEY (\"case_id\"))");
    await queryRunner.query("CREATE INDEX \"case_facts_mission_closed_idx\" ON \"case_facts\"  (\"mission_id\", \"closed_at\") ");
    await queryRunner.query("CREATE INDEX \"case_facts_facility_submitted_idx\" ON \"case_facts\"  (\"facility_id\", \"submitted_at\") ");
    await queryRunner.query("CREATE INDEX \"case_facts_open_idx\" ON \"case_facts\"  (\"mission_id\", \"urgency\", \"submitted_at\") WHERE \"status\" IN ('submitted', 'accepted', 'information_requested', 'resubmitted')");
    await queryRunner.query("CREATE INDEX \"case_facts_awaiting_outcome_idx\" ON \"case_facts\"  (\"mission_id\", \"answered_at\") WHERE \"status\" = 'answered'");
    await queryRunner.query("CREATE INDEX \"case_facts_mission_answered_idx\" ON \"case_facts\"  (\"mission_id\", \"answered_at\") ");
    await queryRunner.query("CREATE INDEX \"case_facts_mission_submitted_idx\" ON \"case_facts\"  (\"mission_id\", \"submitted_at\") ");
    await queryRunner.query("ALTER TABLE \"missions\" ADD \"dormant_site_days\" integer NOT NULL DEFAULT '14'");
    await queryRunner.query("ALTER TABLE \"missions\" ADD \"sla_breach_alert_percent\" integer NOT NULL DEFAULT '20'");
    // case_facts follows referral_cases through a trigger: one narrow row per case, no patient data, so the
    // caseload dashboard never reads clinical records and the facts cannot drift from the cases.
    await queryRunner.query(`CREATE FUNCTION case_facts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sla integer;
      BEGIN
        IF NEW.submitted_at IS NOT NULL THEN
          SELECT CASE NEW.urgency WHEN 'emergency' THEN ms.sla_emergency_minutes WHEN 'urgent' THEN ms.sla_urgent_minutes
                 ELSE ms.sla_routine_minutes END INTO sla FROM missions ms WHERE ms.id = NEW.mission_id;
        END IF;
        INSERT INTO case_facts (case_id, mission_id, facility_id, specialty_code, urgency, status, submitted_at,
            accepted_at, answered_at, closed_at, sla_minutes, accept_minutes, answer_minutes, answered_on_time,
            reference_facility_id, escalation_level, outcome, evacuation_recommended, evacuation_done, evacuation_avoided)
        VALUES (NEW.id, NEW.mission_id, NEW.facility_id, NEW.specialty_code, NEW.urgency, NEW.status, NEW.submitted_at,
            NEW.accepted_at, NEW.answered_at, NEW.closed_at, sla,
            extract(epoch FROM NEW.accepted_at - NEW.submitted_at) / 60,
            extract(epoch FROM NEW.answered_at - NEW.submitted_at) / 60,
            NEW.answered_at <= NEW.submitted_at + make_interval(mins => sla),
            (SELECT m.facility_id FROM memberships m WHERE m.user_id = NEW.assigned_doctor_id AND m.role = 'reference_doctor'
              ORDER BY m.created_at LIMIT 1),
            NEW.escalation_level, NEW.outcome->>'outcome',
            coalesce(NEW.evacuation_advice->>'type', 'none') <> 'none',
            coalesce((NEW.outcome->>'evacuationDone')::boolean, false),
            coalesce((NEW.outcome->>'evacuationAvoided')::boolean, false))
        ON CONFLICT (case_id) DO UPDATE SET
          status = EXCLUDED.status, specialty_code = EXCLUDED.specialty_code, urgency = EXCLUDED.urgency,
          submitted_at = EXCLUDED.submitted_at, accepted_at = EXCLUDED.accepted_at, answered_at = EXCLUDED.answered_at,
          closed_at = EXCLUDED.closed_at,
          -- the SLA in force when the case was submitted stays its measure
          sla_minutes = coalesce(case_facts.sla_minutes, EXCLUDED.sla_minutes),
          accept_minutes = EXCLUDED.accept_minutes, answer_minutes = EXCLUDED.answer_minutes,
          answered_on_time = EXCLUDED.answered_at
            <= EXCLUDED.submitted_at + make_interval(mins => coalesce(case_facts.sla_minutes, EXCLUDED.sla_minutes)),
          reference_facility_id = coalesce(EXCLUDED.reference_facility_id, case_facts.reference_facility_id),
          escalation_level = EXCLUDED.escalation_level, outcome = EXCLUDED.outcome,
          evacuation_recommended = EXCLUDED.evacuation_recommended, evacuation_done = EXCLUDED.evacuation_done,
          evacuation_avoided = EXCLUDED.evacuation_avoided;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER referral_cases_facts AFTER INSERT OR UPDATE ON referral_cases
      FOR EACH ROW EXECUTE FUNCTION case_facts_sync()`);
    // Facts for the cases that already exist.
    await queryRunner.query(`UPDATE referral_cases SET status = status`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER referral_cases_facts ON referral_cases');
    await queryRunner.query('DROP FUNCTION case_facts_sync()');
    await queryRunner.query("ALTER TABLE \"missions\" DROP COLUMN \"sla_breach_alert_percent\"");
    await queryRunner.query("ALTER TABLE \"missions\" DROP COLUMN \"dormant_site_days\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_facts_mission_submitted_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_facts_mission_answered_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_facts_awaiting_outcome_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_facts_open_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_facts_facility_submitted_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_facts_mission_closed_idx\"");
    await queryRunner.query("DROP TABLE \"case_facts\"");
  }
}
