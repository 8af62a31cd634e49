import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795389581848 implements MigrationInterface {
  name = 'Initial1795389581848';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"audit_entries\" (\"id\" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, \"chain\" character varying(64) NOT NULL, \"mission_id\" uuid, \"actor_id\" uuid, \"action\" character varying(80) NOT NULL, \"subject_type\" character varying(80), \"subject_id\" character varying(80), \"outcome\" character varying(16) NOT NULL, \"request_id\" character varying(80), \"ip\" character varying(64), \"details\" jsonb NOT NULL DEFAULT '{}'::jsonb, \"occurred_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"prev_hash\" character(64) NOT NULL, \"hash\" character(64) NOT NULL, CONSTRAINT \"PK_6b1623bcad4d04530b76548d619\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"audit_entries_hash_key\" ON \"audit_entries\"  (\"hash\") ");
    await queryRunner.query("CREATE INDEX \"audit_entries_chain_idx\" ON \"audit_entries\"  (\"chain\", \"id\") ");
    await queryRunner.query("CREATE TABLE \"missions\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"code\" character varying(32) NOT NULL, \"name\" character varying(200) NOT NULL, \"mfa_required_for_all\" boolean NOT NULL DEFAULT false, \"active\" boolean NOT NULL DEFAULT true, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"UQ_643bd7b282529b588b1c34c577a\" UNIQUE (\"code\"), CONSTRAINT \"PK_787aebb1ac5923c9904043c6309\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TABLE \"facilities\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"name\" character varying(200) NOT NULL, \"level\" smallint NOT NULL, \"active\" boolean NOT NULL DEFAULT true, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"facilities_level_check\" CHECK (\"level\" BETWEEN 1 AND 4), CONSTRAINT \"PK_2e6c685b2e1195e6d6394a22bc7\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TYPE \"public\".\"role\" AS ENUM('field_medical_officer', 'reference_doctor', 'health_manager', 'trainer', 'mission_admin', 'system_admin')");
    await queryRunner.query("CREATE TABLE \"memberships\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"role\" \"public\".\"role\" NOT NULL, \"mission_id\" uuid, \"facility_id\" uuid, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"memberships_scope_check\" CHECK ((\"role\" = 'system_admin' AND \"mission_id\" IS NULL AND \"facility_id\" IS NULL) OR (\"role\" <> 'system_admin' AND (\"mission_id\" IS NOT NULL OR \"facility_id\" IS NOT NULL))), CONSTRAINT \"PK_25d28bd932097a9e90495ede7b4\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"memberships_user_idx\" ON \"memberships\"  (\"user_id\") ");
    await queryRunner.query("CREATE INDEX \"memberships_mission_idx\" ON \"memberships\"  (\"mission_id\") ");
    await queryRunner.query("CREATE UNIQUE INDEX \"memberships_unique\" ON \"memberships\"  (\"user_id\", \"role\", \"mission_id\", \"facility_id\") ");
    await queryRunner.query("CREATE TABLE \"users\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"email\" character varying(320) NOT NULL, \"display_name\" character varying(200) NOT NULL, \"password_hash\" character varying(255) NOT NULL, \"active\" boolean NOT NULL DEFAULT true, \"mfa_secret\" character varying(64), \"mfa_enabled\" boolean NOT NULL DEFAULT false, \"mfa_last_step\" bigint, \"failed_login_count\" integer NOT NULL DEFAULT '0', \"locked_until\" TIMESTAMP WITH TIME ZONE, \"specialties\" text array NOT NULL DEFAULT '{}', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_a3ffb1c0c8416b9fc6f907b7433\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"users_email_key\" ON \"users\"  (\"email\") ");
    await queryRunner.query("CREATE TABLE \"refresh_tokens\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"token_hash\" character(64) NOT NULL, \"family_id\" uuid NOT NULL, \"full_access\" boolean NOT NULL DEFAULT true, \"expires_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"revoked_at\" TIMESTAMP WITH TIME ZONE, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_7d8bee0204106019488c4c50ffa\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"refresh_tokens_hash_key\" ON \"refresh_tokens\"  (\"token_hash\") ");
    await queryRunner.query("CREATE INDEX \"refresh_tokens_family_idx\" ON \"refresh_tokens\"  (\"family_id\") ");
    await queryRunner.query("CREATE TABLE \"facility_missions\" (\"facility_id\" uuid NOT NULL, \"mission_id\" uuid NOT NULL, CONSTRAINT \"PK_2a5040d809bc024a41dbfe14550\" PRIMARY KEY (\"facility_id\", \"mission_id\"))");
    await queryRunner.query("CREATE INDEX \"IDX_8f01cc1195063045557a88f6e2\" ON \"facility_missions\"  (\"facility_id\") ");
    await queryRunner.query("CREATE INDEX \"IDX_3ffb206229c9f25d65dca6f01b\" ON \"facility_missions\"  (\"mission_id\") ");
    await queryRunner.query("ALTER TABLE \"memberships\" ADD CONSTRAINT \"FK_7c1e2fdfed4f6838e0c05ae5051\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"memberships\" ADD CONSTRAINT \"FK_a21894ce2c028f7cfffedc29bfa\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"memberships\" ADD CONSTRAINT \"FK_d7cbc83cdafd88b156c2790a328\" FOREIGN KEY (\"facility_id\") REFERENCES \"facilities\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"refresh_tokens\" ADD CONSTRAINT \"FK_3ddc983c5f7bcf132fd8732c3f4\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"facility_missions\" ADD CONSTRAINT \"FK_8f01cc1195063045557a88f6e26\" FOREIGN KEY (\"facility_id\") REFERENCES \"facilities\"(\"id\") ON DELETE CASCADE ON UPDATE CASCADE");
    await queryRunner.query("ALTER TABLE \"facility_missions\" ADD CONSTRAINT \"FK_3ffb206229c9f25d65dca6f01be\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE CASCADE ON UPDATE CASCADE");
    // The audit trail is append-only: the database itself refuses to change or remove a record.
    await queryRunner.query(`CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`CREATE TRIGGER audit_entries_no_update_delete BEFORE UPDATE OR DELETE ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()`);
    await queryRunner.query(`CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER audit_entries_no_truncate ON audit_entries');
    await queryRunner.query('DROP TRIGGER audit_entries_no_update_delete ON audit_entries');
    await queryRunner.query('DROP FUNCTION audit_entries_append_only()');
    await queryRunner.query("ALTER TABLE \"facility_missions\" DROP CONSTRAINT \"FK_3ffb206229c9f25d65dca6f01be\"");
    await queryRunner.query("ALTER TABLE \"facility_missions\" DROP CONSTRAINT \"FK_8f01cc1195063045557a88f6e26\"");
    await queryRunner.query("ALTER TABLE \"refresh_tokens\" DROP CONSTRAINT \"FK_3ddc983c5f7bcf132fd8732c3f4\"");
    await queryRunner.query("ALTER TABLE \"memberships\" DROP CONSTRAINT \"FK_d7cbc83cdafd88b156c2790a328\"");
    await queryRunner.query("ALTER TABLE \"memberships\" DROP CONSTRAINT \"FK_a21894ce2c028f7cfffedc29bfa\"");
    await queryRunner.query("ALTER TABLE \"memberships\" DROP CONSTRAINT \"FK_7c1e2fdfed4f6838e0c05ae5051\"");
    await queryRunner.query("DROP INDEX \"public\".\"IDX_3ffb206229c9f25d65dca6f01b\"");
    await queryRunner.query("DROP INDEX \"public\".\"IDX_8f01cc1195063045557a88f6e2\"");
    await queryRunner.query("DROP TABLE \"facility_missions\"");
    await queryRunner.query("DROP INDEX \"public\".\"refresh_tokens_family_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"refresh_tokens_hash_key\"");
    await queryRunner.query("DROP TABLE \"refresh_tokens\"");
    await queryRunner.query("DROP INDEX \"public\".\"users_email_key\"");
    await queryRunner.query("DROP TABLE \"users\"");
    await queryRunner.query("DROP INDEX \"public\".\"memberships_unique\"");
    await queryRunner.query("DROP INDEX \"public\".\"memberships_mission_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"memberships_user_idx\"");
    await queryRunner.query("DROP TABLE \"memberships\"");
    await queryRunner.query("DROP TYPE \"public\".\"role\"");
    await queryRunner.query("DROP TABLE \"facilities\"");
    await queryRunner.query("DROP TABLE \"missions\"");
    await queryRunner.query("DROP INDEX \"public\".\"audit_entries_chain_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"audit_entries_hash_key\"");
    await queryRunner.query("DROP TABLE \"audit_entries\"");
  }
}
