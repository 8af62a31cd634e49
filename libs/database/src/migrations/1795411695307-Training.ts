import { MigrationInterface, QueryRunner } from 'typeorm';

export class Training1795411695307 implements MigrationInterface {
  name = 'Training1795411695307';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"training_courses\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"mission_id\" uuid, \"title\" character varying(200) NOT NULL, \"description\" text NOT NULL DEFAULT '', \"language\" character varying(2) NOT NULL, \"target_roles\" character varying array NOT NULL DEFAULT '{}', \"estimated_minutes\" integer NOT NULL DEFAULT '0', \"version\" integer NOT NULL DEFAULT '0', \"status\" character varying(16) NOT NULL DEFAULT 'draft', \"certification_kind\" character varying(40), \"validity_days\" integer NOT NULL DEFAULT '730', \"published_at\" TIMESTAMP WITH TIME ZONE, \"created_by_id\" uuid, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"training_courses_validity_check\" CHECK (\"validity_days\" BETWEEN 1 AND 3650), CONSTRAINT \"PK_13bbeecb2ed8a1f45be3c02d68e\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_courses_mission_idx\" ON \"training_courses\"  (\"mission_id\", \"status\") ");
    await queryRunner.query("CREATE TABLE \"training_lessons\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"course_id\" uuid NOT NULL, \"position\" integer NOT NULL, \"title\" character varying(200) NOT NULL, \"body\" text NOT NULL DEFAULT '', \"estimated_minutes\" integer NOT NULL DEFAULT '0', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_77ee4d25f2d0df7a3d66a873aa5\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_lessons_course_idx\" ON \"training_lessons\"  (\"course_id\", \"position\") ");
    await queryRunner.query("CREATE TABLE \"training_attachments\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"lesson_id\" uuid NOT NULL, \"filename\" character varying(255) NOT NULL, \"media_type\" character varying(100) NOT NULL, \"size\" bigint NOT NULL, \"sha256\" character(64) NOT NULL, \"uploaded_by_id\" uuid NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_3b505f31d7ca36a152ef91470cb\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_attachments_lesson_idx\" ON \"training_attachments\"  (\"lesson_id\") ");
    await queryRunner.query("CREATE TABLE \"training_quizzes\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"course_id\" uuid NOT NULL, \"pass_mark\" integer NOT NULL, \"max_attempts\" integer, \"cooldown_minutes\" integer NOT NULL DEFAULT '0', \"questions\" jsonb NOT NULL, \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"training_quizzes_pass_mark_check\" CHECK (\"pass_mark\" BETWEEN 0 AND 100), CONSTRAINT \"PK_2ca15c0382a56e5ce530fb7bc93\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"training_quizzes_course_key\" ON \"training_quizzes\"  (\"course_id\") ");
    await queryRunner.query("CREATE TABLE \"training_checklist_items\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"course_id\" uuid NOT NULL, \"position\" integer NOT NULL, \"title\" character varying(200) NOT NULL, \"description\" text NOT NULL DEFAULT '', \"active\" boolean NOT NULL DEFAULT true, CONSTRAINT \"PK_27779b2c4b13da83cc339b1f1f0\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_checklist_course_idx\" ON \"training_checklist_items\"  (\"course_id\", \"position\") ");
    await queryRunner.query("CREATE TABLE \"training_lesson_completions\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"course_id\" uuid NOT NULL, \"lesson_id\" uuid NOT NULL, \"course_version\" integer NOT NULL, \"completed_at\" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT \"PK_905e075d76160fa636ef2770d2f\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_lesson_completions_user_idx\" ON \"training_lesson_completions\"  (\"user_id\", \"course_id\", \"completed_at\") ");
    await queryRunner.query("CREATE TABLE \"training_attempts\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"course_id\" uuid NOT NULL, \"course_version\" integer NOT NULL, \"attempt_number\" integer NOT NULL, \"pass_mark\" integer NOT NULL, \"layout\" jsonb NOT NULL, \"answers\" jsonb, \"started_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"submitted_at\" TIMESTAMP WITH TIME ZONE, \"score\" integer, \"passed\" boolean, CONSTRAINT \"PK_becd54bf0556d4db97cc5f63405\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_attempts_user_idx\" ON \"training_attempts\"  (\"user_id\", \"course_id\", \"started_at\") ");
    await queryRunner.query("CREATE TABLE \"training_sign_offs\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"course_id\" uuid NOT NULL, \"item_id\" uuid NOT NULL, \"trainer_id\" uuid NOT NULL, \"mission_id\" uuid NOT NULL, \"performed_on\" date NOT NULL, \"note\" character varying(1000), \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT \"PK_7bc782a9f5bd9b319656e89379c\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_sign_offs_user_idx\" ON \"training_sign_offs\"  (\"user_id\", \"course_id\", \"created_at\") ");
    await queryRunner.query("CREATE TABLE \"training_completions\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"course_id\" uuid NOT NULL, \"course_version\" integer NOT NULL, \"completed_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_da32ce9ca24ffdb1a055695fcb1\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_completions_user_idx\" ON \"training_completions\"  (\"user_id\", \"course_id\", \"completed_at\") ");
    await queryRunner.query("CREATE TABLE \"training_certificates\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"course_id\" uuid NOT NULL, \"course_version\" integer NOT NULL, \"course_title\" character varying(200) NOT NULL, \"kind\" character varying(40) NOT NULL, \"code\" character varying(32) NOT NULL, \"issued_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"expires_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"revoked_at\" TIMESTAMP WITH TIME ZONE, \"revoked_by_id\" uuid, \"revocation_reason\" character varying(500), \"expiry_warned_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_41aafad974c15231c5b318807bd\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"training_certificates_code_key\" ON \"training_certificates\"  (\"code\") ");
    await queryRunner.query("CREATE INDEX \"training_certificates_user_idx\" ON \"training_certificates\"  (\"user_id\", \"kind\", \"expires_at\") ");
    await queryRunner.query("CREATE TABLE \"training_waivers\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"mission_id\" uuid NOT NULL, \"kind\" character varying(40) NOT NULL, \"reason\" character varying(500) NOT NULL, \"starts_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"expires_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"granted_by_id\" uuid NOT NULL, \"revoked_at\" TIMESTAMP WITH TIME ZONE, \"revocation_reason\" character varying(500), \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_52e672ce04bd1337fc9cdd9d7f9\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_waivers_user_idx\" ON \"training_waivers\"  (\"user_id\", \"kind\", \"expires_at\") ");
    await queryRunner.query("CREATE TABLE \"training_cohorts\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"mission_id\" uuid NOT NULL, \"name\" character varying(200) NOT NULL, \"description\" text NOT NULL DEFAULT '', \"starts_on\" date, \"ends_on\" date, \"created_by_id\" uuid NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_18af9850e428b196b523d451cc0\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_cohorts_mission_idx\" ON \"training_cohorts\"  (\"mission_id\") ");
    await queryRunner.query("CREATE TABLE \"training_cohort_members\" (\"cohort_id\" uuid NOT NULL, \"user_id\" uuid NOT NULL, CONSTRAINT \"PK_ee90598bcc6f5b75d2e9d4445ec\" PRIMARY KEY (\"cohort_id\", \"user_id\"))");
    await queryRunner.query("CREATE INDEX \"training_cohort_members_user_idx\" ON \"training_cohort_members\"  (\"user_id\") ");
    await queryRunner.query("CREATE TABLE \"training_cohort_courses\" (\"cohort_id\" uuid NOT NULL, \"course_id\" uuid NOT NULL, CONSTRAINT \"PK_48658b0cdd9b86da83f4eb8a77a\" PRIMARY KEY (\"cohort_id\", \"course_id\"))");
    await queryRunner.query("CREATE TABLE \"training_resources\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"mission_id\" uuid, \"kind\" character varying(24) NOT NULL, \"title\" character varying(200) NOT NULL, \"summary\" character varying(500) NOT NULL DEFAULT '', \"body\" text NOT NULL, \"language\" character varying(2) NOT NULL, \"tags\" character varying array NOT NULL DEFAULT '{}', \"search\" tsvector, \"updated_by_id\" uuid, \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_6a73f533f4d7919e099b533e1e7\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"training_resources_mission_idx\" ON \"training_resources\"  (\"mission_id\", \"language\") ");
    await queryRunner.query("CREATE INDEX \"training_resources_search_idx\" ON \"training_resources\" USING gin (\"search\") ");
    // The resource centre's search vector, kept by a trigger with the document's language configuration
    // (weights: title A, tags and summary B, body C), so English and French words are stemmed as such.
    await queryRunner.query(`CREATE FUNCTION training_resources_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        cfg regconfig := CASE NEW.language WHEN 'fr' THEN 'french'::regconfig ELSE 'english'::regconfig END;
      BEGIN
        NEW.search := setweight(to_tsvector(cfg, coalesce(NEW.title, '')), 'A')
          || setweight(to_tsvector(cfg, array_to_string(NEW.tags, ' ') || ' ' || coalesce(NEW.summary, '')), 'B')
          || setweight(to_tsvector(cfg, coalesce(NEW.body, '')), 'C');
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER training_resources_search BEFORE INSERT OR UPDATE ON training_resources
      FOR EACH ROW EXECUTE FUNCTION training_resources_search_sync()`);
    await queryRunner.query("ALTER TABLE \"training_courses\" ADD CONSTRAINT \"FK_be610bfbc9afcc8e4eeeace4fa6\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_lessons\" ADD CONSTRAINT \"FK_99b81c33e60c64f51b0c59935d4\" FOREIGN KEY (\"course_id\") REFERENCES \"training_courses\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_attachments\" ADD CONSTRAINT \"FK_41a03fb684143c2c8f107d2447c\" FOREIGN KEY (\"lesson_id\") REFERENCES \"training_lessons\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_quizzes\" ADD CONSTRAINT \"FK_7092a13d0442645661da07689ec\" FOREIGN KEY (\"course_id\") REFERENCES \"training_courses\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_checklist_items\" ADD CONSTRAINT \"FK_65c5f3851e5446e19fc4e784498\" FOREIGN KEY (\"course_id\") REFERENCES \"training_courses\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_lesson_completions\" ADD CONSTRAINT \"FK_fe8e3ef719a589c6b10f4cb85c6\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_lesson_completions\" ADD CONSTRAINT \"FK_a37cbc8f8efdc1d04d398653b9f\" FOREIGN KEY (\"lesson_id\") REFERENCES \"training_lessons\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_attempts\" ADD CONSTRAINT \"FK_6a20dddd0d057358705f8ba52b8\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_attempts\" ADD CONSTRAINT \"FK_9e1e9b8368837da635342f3ee8d\" FOREIGN KEY (\"course_id\") REFERENCES \"training_courses\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_sign_offs\" ADD CONSTRAINT \"FK_9390622f4c2dca6c5f32362fc65\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_sign_offs\" ADD CONSTRAINT \"FK_8a55015c7e415cf23f6fb80956b\" FOREIGN KEY (\"item_id\") REFERENCES \"training_checklist_items\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_sign_offs\" ADD CONSTRAINT \"FK_a1a7da8bed80a52a86446dec79b\" FOREIGN KEY (\"trainer_id\") REFERENCES \"users\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_completions\" ADD CONSTRAINT \"FK_dc0f0c7c13f8919545cfe586220\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_completions\" ADD CONSTRAINT \"FK_a6455b831aeaa1069be28f67b81\" FOREIGN KEY (\"course_id\") REFERENCES \"training_courses\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_certificates\" ADD CONSTRAINT \"FK_56f2aff6984342ed8f9a9ecff0f\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_certificates\" ADD CONSTRAINT \"FK_a24317b1caf308a85f68e6da4e9\" FOREIGN KEY (\"course_id\") REFERENCES \"training_courses\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_waivers\" ADD CONSTRAINT \"FK_a2267e37bbd97a3be3484fdb9a1\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_waivers\" ADD CONSTRAINT \"FK_b748d75a260d7c423194458c175\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_cohorts\" ADD CONSTRAINT \"FK_49a6f5e5b8007c7699cc4657da5\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_cohort_members\" ADD CONSTRAINT \"FK_dc37c919e5002ac7b5c2d3a133a\" FOREIGN KEY (\"cohort_id\") REFERENCES \"training_cohorts\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_cohort_members\" ADD CONSTRAINT \"FK_81cb942b4e23c051e20f6065e1e\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_cohort_courses\" ADD CONSTRAINT \"FK_0fa641fdab41bfef8047fb98df7\" FOREIGN KEY (\"cohort_id\") REFERENCES \"training_cohorts\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_cohort_courses\" ADD CONSTRAINT \"FK_fc27f375351ccb4c5e32c4db310\" FOREIGN KEY (\"course_id\") REFERENCES \"training_courses\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"training_resources\" ADD CONSTRAINT \"FK_067f60c8ca00b36d61e139da992\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"training_resources\" DROP CONSTRAINT \"FK_067f60c8ca00b36d61e139da992\"");
    await queryRunner.query("ALTER TABLE \"training_cohort_courses\" DROP CONSTRAINT \"FK_fc27f375351ccb4c5e32c4db310\"");
    await queryRunner.query("ALTER TABLE \"training_cohort_courses\" DROP CONSTRAINT \"FK_0fa641fdab41bfef8047fb98df7\"");
    await queryRunner.query("ALTER TABLE \"training_cohort_members\" DROP CONSTRAINT \"FK_81cb942b4e23c051e20f6065e1e\"");
    await queryRunner.query("ALTER TABLE \"training_cohort_members\" DROP CONSTRAINT \"FK_dc37c919e5002ac7b5c2d3a133a\"");
    await queryRunner.query("ALTER TABLE \"training_cohorts\" DROP CONSTRAINT \"FK_49a6f5e5b8007c7699cc4657da5\"");
    await queryRunner.query("ALTER TABLE \"training_waivers\" DROP CONSTRAINT \"FK_b748d75a260d7c423194458c175\"");
    await queryRunner.query("ALTER TABLE \"training_waivers\" DROP CONSTRAINT \"FK_a2267e37bbd97a3be3484fdb9a1\"");
    await queryRunner.query("ALTER TABLE \"training_certificates\" DROP CONSTRAINT \"FK_a24317b1caf308a85f68e6da4e9\"");
    await queryRunner.query("ALTER TABLE \"training_certificates\" DROP CONSTRAINT \"FK_56f2aff6984342ed8f9a9ecff0f\"");
    await queryRunner.query("ALTER TABLE \"training_completions\" DROP CONSTRAINT \"FK_a6455b831aeaa1069be28f67b81\"");
    await queryRunner.query("ALTER TABLE \"training_completions\" DROP CONSTRAINT \"FK_dc0f0c7c13f8919545cfe586220\"");
    await queryRunner.query("ALTER TABLE \"training_sign_offs\" DROP CONSTRAINT \"FK_a1a7da8bed80a52a86446dec79b\"");
    await queryRunner.query("ALTER TABLE \"training_sign_offs\" DROP CONSTRAINT \"FK_8a55015c7e415cf23f6fb80956b\"");
    await queryRunner.query("ALTER TABLE \"training_sign_offs\" DROP CONSTRAINT \"FK_9390622f4c2dca6c5f32362fc65\"");
    await queryRunner.query("ALTER TABLE \"training_attempts\" DROP CONSTRAINT \"FK_9e1e9b8368837da635342f3ee8d\"");
    await queryRunner.query("ALTER TABLE \"training_attempts\" DROP CONSTRAINT \"FK_6a20dddd0d057358705f8ba52b8\"");
    await queryRunner.query("ALTER TABLE \"training_lesson_completions\" DROP CONSTRAINT \"FK_a37cbc8f8efdc1d04d398653b9f\"");
    await queryRunner.query("ALTER TABLE \"training_lesson_completions\" DROP CONSTRAINT \"FK_fe8e3ef719a589c6b10f4cb85c6\"");
    await queryRunner.query("ALTER TABLE \"training_checklist_items\" DROP CONSTRAINT \"FK_65c5f3851e5446e19fc4e784498\"");
    await queryRunner.query("ALTER TABLE \"training_quizzes\" DROP CONSTRAINT \"FK_7092a13d0442645661da07689ec\"");
    await queryRunner.query("ALTER TABLE \"training_attachments\" DROP CONSTRAINT \"FK_41a03fb684143c2c8f107d2447c\"");
    await queryRunner.query("ALTER TABLE \"training_lessons\" DROP CONSTRAINT \"FK_99b81c33e60c64f51b0c59935d4\"");
    await queryRunner.query("ALTER TABLE \"training_courses\" DROP CONSTRAINT \"FK_be610bfbc9afcc8e4eeeace4fa6\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_resources_search_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_resources_mission_idx\"");
    await queryRunner.query("DROP TABLE \"training_resources\"");
    await queryRunner.query('DROP FUNCTION training_resources_search_sync()');
    await queryRunner.query("DROP TABLE \"training_cohort_courses\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_cohort_members_user_idx\"");
    await queryRunner.query("DROP TABLE \"training_cohort_members\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_cohorts_mission_idx\"");
    await queryRunner.query("DROP TABLE \"training_cohorts\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_waivers_user_idx\"");
    await queryRunner.query("DROP TABLE \"training_waivers\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_certificates_user_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_certificates_code_key\"");
    await queryRunner.query("DROP TABLE \"training_certificates\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_completions_user_idx\"");
    await queryRunner.query("DROP TABLE \"training_completions\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_sign_offs_user_idx\"");
    await queryRunner.query("DROP TABLE \"training_sign_offs\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_attempts_user_idx\"");
    await queryRunner.query("DROP TABLE \"training_attempts\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_lesson_completions_user_idx\"");
    await queryRunner.query("DROP TABLE \"training_lesson_completions\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_checklist_course_idx\"");
    await queryRunner.query("DROP TABLE \"training_checklist_items\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_quizzes_course_key\"");
    await queryRunner.query("DROP TABLE \"training_quizzes\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_attachments_lesson_idx\"");
    await queryRunner.query("DROP TABLE \"training_attachments\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_lessons_course_idx\"");
    await queryRunner.query("DROP TABLE \"training_lessons\"");
    await queryRunner.query("DROP INDEX \"public\".\"training_courses_mission_idx\"");
    await queryRunner.query("DROP TABLE \"training_courses\"");
  }
}
