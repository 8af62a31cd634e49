import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follow-up plans (care_plans, follow_up_checks) and rotations: memberships get start and end dates (rights end by
 * themselves at ends_at, see the principal resolver), and a case gets the clinic officer in charge of it
 * (responsible_officer_id, moved by a hand-over; existing cases: their requester).
 */
export class FollowUpPlansRotations1795950700000 implements MigrationInterface {
  name = 'FollowUpPlansRotations1795950700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"care_plans\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"case_id\" uuid NOT NULL, \"mission_id\" uuid NOT NULL, \"created_by_id\" uuid NOT NULL, \"instructions\" text NOT NULL DEFAULT '', \"medications\" jsonb NOT NULL DEFAULT '[]', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_a8556688bcada6c2729b8c4ac5c\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"care_plans_case_idx\" ON \"care_plans\"  (\"case_id\") ");
    await queryRunner.query("CREATE TABLE \"follow_up_checks\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"plan_id\" uuid NOT NULL, \"case_id\" uuid NOT NULL, \"mission_id\" uuid NOT NULL, \"facility_id\" uuid NOT NULL, \"day\" smallint NOT NULL, \"due_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"vitals\" text array NOT NULL DEFAULT '{}', \"photo\" boolean NOT NULL DEFAULT false, \"question\" text, \"recorded_at\" TIMESTAMP WITH TIME ZONE, \"recorded_by_id\" uuid, \"recorded_vitals\" jsonb, \"answer\" text, \"attachment_id\" uuid, \"note\" text, \"overdue_notified_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_5456ff99f6eac4b82261b1d80ff\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"follow_up_checks_plan_idx\" ON \"follow_up_checks\"  (\"plan_id\") ");
    await queryRunner.query("CREATE INDEX \"follow_up_checks_case_idx\" ON \"follow_up_checks\"  (\"case_id\") ");
    await queryRunner.query("CREATE INDEX \"follow_up_checks_facility_idx\" ON \"follow_up_checks\"  (\"facility_id\", \"due_at\") WHERE \"recorded_at\" IS NULL");
    await queryRunner.query("CREATE INDEX \"follow_up_checks_open_idx\" ON \"follow_up_checks\"  (\"mission_id\", \"due_at\") WHERE \"recorded_at\" IS NULL");
    await queryRunner.query("ALTER TABLE \"memberships\" ADD \"starts_at\" TIMESTAMP WITH TIME ZONE");
    await queryRunner.query("ALTER TABLE \"memberships\" ADD \"ends_at\" TIMESTAMP WITH TIME ZONE");
    await queryRunner.query("ALTER TABLE \"memberships\" ADD \"end_handled_at\" TIMESTAMP WITH TIME ZONE");
    await queryRunner.query("ALTER TABLE \"referral_cases\" ADD \"responsible_officer_id\" uuid");
    await queryRunner.query("UPDATE \"referral_cases\" SET \"responsible_officer_id\" = \"requested_by_id\"");
    await queryRunner.query("CREATE INDEX \"referral_cases_officer_idx\" ON \"referral_cases\"  (\"responsible_officer_id\") ");
    await queryRunner.query("ALTER TABLE \"memberships\" ADD CONSTRAINT \"memberships_dates_check\" CHECK (\"ends_at\" IS NULL OR \"starts_at\" IS NULL OR \"ends_at\" > \"starts_at\")");
    await queryRunner.query("ALTER TABLE \"referral_cases\" ADD CONSTRAINT \"FK_700e4f24b73de633d3f2319ae3e\" FOREIGN KEY (\"responsible_officer_id\") REFERENCES \"users\"(\"id\") ON DELETE SET NULL ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"care_plans\" ADD CONSTRAINT \"FK_eaeea9a4bd8eace082765000688\" FOREIGN KEY (\"case_id\") REFERENCES \"referral_cases\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"follow_up_checks\" ADD CONSTRAINT \"FK_86489dc552000b5e6393ea7aa83\" FOREIGN KEY (\"plan_id\") REFERENCES \"care_plans\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"follow_up_checks\" DROP CONSTRAINT \"FK_86489dc552000b5e6393ea7aa83\"");
    await queryRunner.query("ALTER TABLE \"care_plans\" DROP CONSTRAINT \"FK_eaeea9a4bd8eace082765000688\"");
    await queryRunner.query("ALTER TABLE \"referral_cases\" DROP CONSTRAINT \"FK_700e4f24b73de633d3f2319ae3e\"");
    await queryRunner.query("ALTER TABLE \"memberships\" DROP CONSTRAINT \"memberships_dates_check\"");
    await queryRunner.query("DROP INDEX \"public\".\"referral_cases_officer_idx\"");
    await queryRunner.query("ALTER TABLE \"referral_cases\" DROP COLUMN \"responsible_officer_id\"");
    await queryRunner.query("ALTER TABLE \"memberships\" DROP COLUMN \"end_handled_at\"");
    await queryRunner.query("ALTER TABLE \"memberships\" DROP COLUMN \"ends_at\"");
    await queryRunner.query("ALTER TABLE \"memberships\" DROP COLUMN \"starts_at\"");
    await queryRunner.query("DROP TABLE \"follow_up_checks\"");
    await queryRunner.query("DROP TABLE \"care_plans\"");
  }
}
