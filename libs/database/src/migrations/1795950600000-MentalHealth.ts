import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mental-health sessions (docs/consultations.md): clinicians' slots and bookings; the *sensitive* flag on cases
 * (libs/access sensitive-records.ts); the time zones of missions and facilities (times stay UTC, shown in the
 * viewer's zone); and how a consultation session starts (audio only) and keeps its chat (in the thread or not).
 * Existing missions get UTC until an administrator sets their zone.
 */
export class MentalHealth1795950600000 implements MigrationInterface {
  name = 'MentalHealth1795950600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"mental_health_slots\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"clinician_id\" uuid NOT NULL, \"facility_id\" uuid NOT NULL, \"starts_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"ends_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"mental_health_slots_span_check\" CHECK (\"ends_at\" > \"starts_at\"), CONSTRAINT \"PK_2e21c860ce6ba1e7c12d123524f\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"mental_health_slots_facility_start\" ON \"mental_health_slots\"  (\"facility_id\", \"starts_at\") ");
    await queryRunner.query("CREATE UNIQUE INDEX \"mental_health_slots_clinician_start\" ON \"mental_health_slots\"  (\"clinician_id\", \"starts_at\") ");
    await queryRunner.query("CREATE TABLE \"mental_health_bookings\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"slot_id\" uuid NOT NULL, \"mission_id\" uuid NOT NULL, \"case_id\" uuid, \"patient_id\" uuid, \"for_self\" boolean NOT NULL DEFAULT false, \"clinician_id\" uuid NOT NULL, \"booked_by_id\" uuid NOT NULL, \"consultation_session_id\" uuid NOT NULL, \"chat_consent\" boolean NOT NULL, \"reminder_sent_at\" TIMESTAMP WITH TIME ZONE, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"mental_health_bookings_subject_check\" CHECK ((\"for_self\" AND \"case_id\" IS NULL AND \"patient_id\" IS NULL) OR (NOT \"for_self\" AND \"case_id\" IS NOT NULL AND \"patient_id\" IS NOT NULL)), CONSTRAINT \"PK_edc6bc7a2a37c5f58386cd26ac4\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"mental_health_bookings_slot_unique\" ON \"mental_health_bookings\"  (\"slot_id\") ");
    await queryRunner.query("CREATE INDEX \"mental_health_bookings_mission_idx\" ON \"mental_health_bookings\"  (\"mission_id\", \"created_at\") ");
    await queryRunner.query("ALTER TABLE \"missions\" ADD \"time_zone\" character varying(64) NOT NULL DEFAULT 'UTC'");
    await queryRunner.query("ALTER TABLE \"missions\" ADD \"staff_self_booking\" boolean NOT NULL DEFAULT false");
    await queryRunner.query("ALTER TABLE \"facilities\" ADD \"time_zone\" character varying(64)");
    await queryRunner.query("ALTER TABLE \"referral_cases\" ADD \"sensitive\" boolean NOT NULL DEFAULT false");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" ADD \"audio_only_default\" boolean NOT NULL DEFAULT false");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" ADD \"chat_in_thread\" boolean NOT NULL DEFAULT true");
    await queryRunner.query("ALTER TABLE \"mental_health_slots\" ADD CONSTRAINT \"FK_27667d973f243245a201f63d555\" FOREIGN KEY (\"clinician_id\") REFERENCES \"users\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"mental_health_slots\" ADD CONSTRAINT \"FK_a790cf317f8e13257c42a3378a0\" FOREIGN KEY (\"facility_id\") REFERENCES \"facilities\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" ADD CONSTRAINT \"FK_c685a042f8eda8fcddec3fed05c\" FOREIGN KEY (\"slot_id\") REFERENCES \"mental_health_slots\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" ADD CONSTRAINT \"FK_92a7c2b2abc976e4a6a2ce7211e\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" ADD CONSTRAINT \"FK_a26b79e4ba82bc5cdecf4a67195\" FOREIGN KEY (\"case_id\") REFERENCES \"referral_cases\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" ADD CONSTRAINT \"FK_8783aceded5f23537fe754e207a\" FOREIGN KEY (\"patient_id\") REFERENCES \"patients\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" ADD CONSTRAINT \"FK_f464648a7b233b9862ed26adebe\" FOREIGN KEY (\"booked_by_id\") REFERENCES \"users\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" ADD CONSTRAINT \"FK_91643482762af2b801b9bd79f93\" FOREIGN KEY (\"consultation_session_id\") REFERENCES \"consultation_sessions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" DROP CONSTRAINT \"FK_91643482762af2b801b9bd79f93\"");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" DROP CONSTRAINT \"FK_f464648a7b233b9862ed26adebe\"");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" DROP CONSTRAINT \"FK_8783aceded5f23537fe754e207a\"");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" DROP CONSTRAINT \"FK_a26b79e4ba82bc5cdecf4a67195\"");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" DROP CONSTRAINT \"FK_92a7c2b2abc976e4a6a2ce7211e\"");
    await queryRunner.query("ALTER TABLE \"mental_health_bookings\" DROP CONSTRAINT \"FK_c685a042f8eda8fcddec3fed05c\"");
    await queryRunner.query("ALTER TABLE \"mental_health_slots\" DROP CONSTRAINT \"FK_a790cf317f8e13257c42a3378a0\"");
    await queryRunner.query("ALTER TABLE \"mental_health_slots\" DROP CONSTRAINT \"FK_27667d973f243245a201f63d555\"");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" DROP COLUMN \"chat_in_thread\"");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" DROP COLUMN \"audio_only_default\"");
    await queryRunner.query("ALTER TABLE \"referral_cases\" DROP COLUMN \"sensitive\"");
    await queryRunner.query("ALTER TABLE \"facilities\" DROP COLUMN \"time_zone\"");
    await queryRunner.query("ALTER TABLE \"missions\" DROP COLUMN \"staff_self_booking\"");
    await queryRunner.query("ALTER TABLE \"missions\" DROP COLUMN \"time_zone\"");
    await queryRunner.query("DROP INDEX \"public\".\"mental_health_bookings_mission_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"mental_health_bookings_slot_unique\"");
    await queryRunner.query("DROP TABLE \"mental_health_bookings\"");
    await queryRunner.query("DROP INDEX \"public\".\"mental_health_slots_clinician_start\"");
    await queryRunner.query("DROP INDEX \"public\".\"mental_health_slots_facility_start\"");
    await queryRunner.query("DROP TABLE \"mental_health_slots\"");
  }
}
