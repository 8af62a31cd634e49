import { MigrationInterface, QueryRunner } from 'typeorm';

export class Consultations1795411558677 implements MigrationInterface {
  name = 'Consultations1795411558677';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"consultation_sessions\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"mission_id\" uuid NOT NULL, \"case_id\" uuid, \"title\" character varying(200), \"status\" character varying(12) NOT NULL DEFAULT 'waiting', \"scheduled_at\" TIMESTAMP WITH TIME ZONE, \"started_at\" TIMESTAMP WITH TIME ZONE, \"ended_at\" TIMESTAMP WITH TIME ZONE, \"host_id\" uuid NOT NULL, \"created_by_id\" uuid NOT NULL, \"quality\" jsonb, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_4485507ea2a1fedbd2fa9e1ecf8\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"consultation_sessions_host_idx\" ON \"consultation_sessions\"  (\"host_id\", \"status\") ");
    await queryRunner.query("CREATE INDEX \"consultation_sessions_case_idx\" ON \"consultation_sessions\"  (\"case_id\", \"created_at\") ");
    await queryRunner.query("CREATE TABLE \"consultation_participants\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"session_id\" uuid NOT NULL, \"user_id\" uuid NOT NULL, \"call_role\" character varying(16) NOT NULL, \"state\" character varying(12) NOT NULL DEFAULT 'waiting', \"invitation_id\" uuid, \"admitted_at\" TIMESTAMP WITH TIME ZONE, \"admitted_by_id\" uuid, \"declined_at\" TIMESTAMP WITH TIME ZONE, \"decline_reason\" character varying(300), \"left_at\" TIMESTAMP WITH TIME ZONE, \"reconnect_count\" integer NOT NULL DEFAULT '0', \"quality\" jsonb, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"consultation_participants_session_user_key\" UNIQUE (\"session_id\", \"user_id\"), CONSTRAINT \"PK_b05dfeae4e0ab35985a37662857\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"consultation_participants_user_idx\" ON \"consultation_participants\"  (\"user_id\") ");
    await queryRunner.query("CREATE TABLE \"consultation_invitations\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"session_id\" uuid NOT NULL, \"call_role\" character varying(16) NOT NULL, \"invited_user_id\" uuid, \"token_hash\" character(64) NOT NULL, \"expires_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"used_at\" TIMESTAMP WITH TIME ZONE, \"used_by_id\" uuid, \"revoked_at\" TIMESTAMP WITH TIME ZONE, \"created_by_id\" uuid NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_1ee678787684d3779015232dcd6\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"consultation_invitations_token_key\" ON \"consultation_invitations\"  (\"token_hash\") ");
    await queryRunner.query("CREATE INDEX \"consultation_invitations_session_idx\" ON \"consultation_invitations\"  (\"session_id\") ");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" ADD CONSTRAINT \"FK_a8eb3966cfd41d263bfe99c8db9\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" ADD CONSTRAINT \"FK_cc7698b2b2842f8f4a146327657\" FOREIGN KEY (\"case_id\") REFERENCES \"referral_cases\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" ADD CONSTRAINT \"FK_fc81f2898b73f3a080d2aaa7165\" FOREIGN KEY (\"host_id\") REFERENCES \"users\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"consultation_participants\" ADD CONSTRAINT \"FK_22503c72b58dc5c086036e94cd7\" FOREIGN KEY (\"session_id\") REFERENCES \"consultation_sessions\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"consultation_participants\" ADD CONSTRAINT \"FK_41c42ee261fbb6bcd611deea4a1\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"consultation_invitations\" ADD CONSTRAINT \"FK_240ec8849bc3b253ac6f6dd987c\" FOREIGN KEY (\"session_id\") REFERENCES \"consultation_sessions\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"consultation_invitations\" DROP CONSTRAINT \"FK_240ec8849bc3b253ac6f6dd987c\"");
    await queryRunner.query("ALTER TABLE \"consultation_participants\" DROP CONSTRAINT \"FK_41c42ee261fbb6bcd611deea4a1\"");
    await queryRunner.query("ALTER TABLE \"consultation_participants\" DROP CONSTRAINT \"FK_22503c72b58dc5c086036e94cd7\"");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" DROP CONSTRAINT \"FK_fc81f2898b73f3a080d2aaa7165\"");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" DROP CONSTRAINT \"FK_cc7698b2b2842f8f4a146327657\"");
    await queryRunner.query("ALTER TABLE \"consultation_sessions\" DROP CONSTRAINT \"FK_a8eb3966cfd41d263bfe99c8db9\"");
    await queryRunner.query("DROP INDEX \"public\".\"consultation_invitations_session_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"consultation_invitations_token_key\"");
    await queryRunner.query("DROP TABLE \"consultation_invitations\"");
    await queryRunner.query("DROP INDEX \"public\".\"consultation_participants_user_idx\"");
    await queryRunner.query("DROP TABLE \"consultation_participants\"");
    await queryRunner.query("DROP INDEX \"public\".\"consultation_sessions_case_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"consultation_sessions_host_idx\"");
    await queryRunner.query("DROP TABLE \"consultation_sessions\"");
  }
}
