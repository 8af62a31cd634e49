import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consented recording of live consultations (docs/consultations.md, "Recording with consent"):
 * - `consultation_recording_consents`: each participant's consent in a session (given / withdrawn, and why);
 * - `consultation_recordings`: each recording, who had consented, the case attachment holding its WebM until the
 *   mission's retention period ends (then `deleted`, the row kept as the record that it existed);
 * - `missions.recording_retention_days`: that period (30 days unless an administrator sets it).
 */
export class ConsultationRecording1795954100000 implements MigrationInterface {
  name = 'ConsultationRecording1795954100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"consultation_recording_consents\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"session_id\" uuid NOT NULL, \"participant_id\" uuid NOT NULL, \"user_id\" uuid NOT NULL, \"consented\" boolean NOT NULL, \"given_at\" TIMESTAMP WITH TIME ZONE, \"withdrawn_at\" TIMESTAMP WITH TIME ZONE, \"withdraw_reason\" character varying(32), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"consultation_recording_consents_participant_key\" UNIQUE (\"session_id\", \"participant_id\"), CONSTRAINT \"PK_dc9fa0143c7e7a2b7583c9d9b5f\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TABLE \"consultation_recordings\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"session_id\" uuid NOT NULL, \"mission_id\" uuid NOT NULL, \"case_id\" uuid NOT NULL, \"attachment_id\" uuid, \"status\" character varying(12) NOT NULL DEFAULT 'recording', \"consented_by\" jsonb NOT NULL, \"started_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"stopped_at\" TIMESTAMP WITH TIME ZONE, \"stop_reason\" character varying(32), \"duration_ms\" integer, \"bytes\" bigint, \"deleted_at\" TIMESTAMP WITH TIME ZONE, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_1cd0d8b0849f97a7d607a5b14d5\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"consultation_recordings_session_idx\" ON \"consultation_recordings\"  (\"session_id\", \"started_at\") ");
    await queryRunner.query("CREATE INDEX \"consultation_recordings_status_idx\" ON \"consultation_recordings\"  (\"status\", \"stopped_at\") ");
    await queryRunner.query("ALTER TABLE \"missions\" ADD \"recording_retention_days\" integer NOT NULL DEFAULT '30'");
    await queryRunner.query("ALTER TABLE \"consultation_recording_consents\" ADD CONSTRAINT \"FK_8b819d303897a7490079bdb76c4\" FOREIGN KEY (\"session_id\") REFERENCES \"consultation_sessions\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"consultation_recording_consents\" ADD CONSTRAINT \"FK_a07d30eab06ed346ea0054977bb\" FOREIGN KEY (\"participant_id\") REFERENCES \"consultation_participants\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"consultation_recordings\" ADD CONSTRAINT \"FK_a6a78b4a15ee1d6d0a6f3e7de33\" FOREIGN KEY (\"session_id\") REFERENCES \"consultation_sessions\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"consultation_recordings\" DROP CONSTRAINT \"FK_a6a78b4a15ee1d6d0a6f3e7de33\"");
    await queryRunner.query("ALTER TABLE \"consultation_recording_consents\" DROP CONSTRAINT \"FK_a07d30eab06ed346ea0054977bb\"");
    await queryRunner.query("ALTER TABLE \"consultation_recording_consents\" DROP CONSTRAINT \"FK_8b819d303897a7490079bdb76c4\"");
    await queryRunner.query("ALTER TABLE \"missions\" DROP COLUMN \"recording_retention_days\"");
    await queryRunner.query("DROP INDEX \"public\".\"consultation_recordings_status_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"consultation_recordings_session_idx\"");
    await queryRunner.query("DROP TABLE \"consultation_recordings\"");
    await queryRunner.query("DROP TABLE \"consultation_recording_consents\"");
  }
}
