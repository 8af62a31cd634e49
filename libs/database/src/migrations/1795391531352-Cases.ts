import { MigrationInterface, QueryRunner } from 'typeorm';

export class Cases1795391531352 implements MigrationInterface {
  name = 'Cases1795391531352';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"specialties\" (\"code\" character varying(40) NOT NULL, \"name\" character varying(120) NOT NULL, \"active\" boolean NOT NULL DEFAULT true, CONSTRAINT \"PK_0ecc16d70a3eba636ba693759da\" PRIMARY KEY (\"code\"))");
    await queryRunner.query("CREATE TABLE \"patients\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"mission_id\" uuid NOT NULL, \"service_number\" character varying(40) NOT NULL, \"first_name\" character varying(100) NOT NULL, \"last_name\" character varying(100) NOT NULL, \"date_of_birth\" date NOT NULL, \"sex\" character varying(16) NOT NULL, \"nationality\" character(3) NOT NULL, \"contingent\" character varying(80) NOT NULL, \"unit\" character varying(120), \"blood_group\" character varying(8) NOT NULL DEFAULT 'unknown', \"allergies\" text array NOT NULL DEFAULT '{}', \"chronic_conditions\" text array NOT NULL DEFAULT '{}', \"current_facility_id\" uuid NOT NULL, \"created_by_id\" uuid NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"patients_sex_check\" CHECK (\"sex\" IN ('female', 'male', 'other', 'unknown')), CONSTRAINT \"PK_a7f0b9fcbb3469d5ec0b0aceaa7\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"patients_facility_idx\" ON \"patients\"  (\"current_facility_id\") ");
    await queryRunner.query("CREATE UNIQUE INDEX \"patients_mission_service_number_key\" ON \"patients\"  (\"mission_id\", \"service_number\") ");
    await queryRunner.query("CREATE TABLE \"patient_transfers\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"patient_id\" uuid NOT NULL, \"from_facility_id\" uuid NOT NULL, \"to_facility_id\" uuid NOT NULL, \"note\" character varying(500), \"transferred_by_id\" uuid NOT NULL, \"transferred_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_927f46e036d753273eeeb829517\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"patient_transfers_patient_idx\" ON \"patient_transfers\"  (\"patient_id\") ");
    await queryRunner.query("CREATE TABLE \"referral_cases\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"mission_id\" uuid NOT NULL, \"patient_id\" uuid NOT NULL, \"facility_id\" uuid NOT NULL, \"requested_by_id\" uuid NOT NULL, \"specialty_code\" character varying(40) NOT NULL, \"urgency\" character varying(16) NOT NULL, \"urgency_rank\" smallint NOT NULL, \"status\" character varying(24) NOT NULL DEFAULT 'draft', \"consent_given\" boolean NOT NULL, \"consent_note\" character varying(500), \"presenting_complaint\" text NOT NULL, \"history\" text NOT NULL DEFAULT '', \"vitals\" jsonb NOT NULL DEFAULT '{}', \"examination\" text NOT NULL DEFAULT '', \"working_diagnosis\" text NOT NULL DEFAULT '', \"question\" text NOT NULL, \"assigned_doctor_id\" uuid, \"submitted_at\" TIMESTAMP WITH TIME ZONE, \"deadline_at\" TIMESTAMP WITH TIME ZONE, \"escalation_level\" smallint NOT NULL DEFAULT '0', \"accepted_at\" TIMESTAMP WITH TIME ZONE, \"assessment\" text, \"recommendation\" text, \"evacuation_advice\" jsonb, \"answered_by_id\" uuid, \"answered_at\" TIMESTAMP WITH TIME ZONE, \"outcome\" jsonb, \"outcome_reported_at\" TIMESTAMP WITH TIME ZONE, \"outcome_reminder_sent_at\" TIMESTAMP WITH TIME ZONE, \"closed_at\" TIMESTAMP WITH TIME ZONE, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_68a26074d6d245a2d37f94b4bcd\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"referral_cases_patient_idx\" ON \"referral_cases\"  (\"patient_id\") ");
    await queryRunner.query("CREATE INDEX \"referral_cases_doctor_idx\" ON \"referral_cases\"  (\"assigned_doctor_id\") ");
    await queryRunner.query("CREATE INDEX \"referral_cases_mission_idx\" ON \"referral_cases\"  (\"mission_id\", \"created_at\") ");
    await queryRunner.query("CREATE INDEX \"referral_cases_facility_idx\" ON \"referral_cases\"  (\"facility_id\", \"created_at\") ");
    await queryRunner.query("CREATE INDEX \"referral_cases_queue_idx\" ON \"referral_cases\"  (\"specialty_code\", \"mission_id\", \"urgency_rank\", \"deadline_at\", \"id\") WHERE \"status\" = 'submitted' AND \"assigned_doctor_id\" IS NULL");
    await queryRunner.query("CREATE TABLE \"case_transitions\" (\"id\" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, \"case_id\" uuid NOT NULL, \"from_status\" character varying(24), \"to_status\" character varying(24) NOT NULL, \"actor_id\" uuid, \"note\" character varying(1000), \"at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_f2e3f66ea284b59b64d277787bc\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"case_transitions_case_idx\" ON \"case_transitions\"  (\"case_id\", \"id\") ");
    await queryRunner.query("CREATE TABLE \"case_messages\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"case_id\" uuid NOT NULL, \"author_id\" uuid, \"kind\" character varying(24) NOT NULL DEFAULT 'message', \"body\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_abd10cae638adbb2365d2446d10\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"case_messages_case_idx\" ON \"case_messages\"  (\"case_id\", \"created_at\") ");
    await queryRunner.query("CREATE TABLE \"case_attachments\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"case_id\" uuid NOT NULL, \"message_id\" uuid, \"upload_id\" character varying(100) NOT NULL, \"filename\" character varying(255) NOT NULL, \"media_type\" character varying(100), \"size\" bigint NOT NULL, \"sha256\" character(64) NOT NULL, \"status\" character varying(16) NOT NULL DEFAULT 'uploading', \"rejection_reason\" character varying(300), \"has_thumbnail\" boolean NOT NULL DEFAULT false, \"uploaded_by_id\" uuid NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_9680beedc0b2d26fafb04435fb8\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"case_attachments_case_idx\" ON \"case_attachments\"  (\"case_id\") ");
    await queryRunner.query("CREATE UNIQUE INDEX \"case_attachments_upload_key\" ON \"case_attachments\"  (\"upload_id\") ");
    await queryRunner.query("CREATE TABLE \"case_escalations\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"case_id\" uuid NOT NULL, \"level\" smallint NOT NULL, \"reason\" character varying(300) NOT NULL, \"escalated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_62a4a9f307723a5f2e729f440fd\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"case_escalations_case_level_key\" ON \"case_escalations\"  (\"case_id\", \"level\") ");
    await queryRunner.query("CREATE TABLE \"notifications\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"case_id\" uuid, \"kind\" character varying(40) NOT NULL, \"text\" character varying(300) NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"read_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_6a72c3c0f683f6462415e653c3a\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"notifications_user_idx\" ON \"notifications\"  (\"user_id\", \"created_at\") ");
    await queryRunner.query("ALTER TABLE \"missions\" ADD \"sla_emergency_minutes\" integer NOT NULL DEFAULT '60'");
    await queryRunner.query("ALTER TABLE \"missions\" ADD \"sla_urgent_minutes\" integer NOT NULL DEFAULT '1440'");
    await queryRunner.query("ALTER TABLE \"missions\" ADD \"sla_routine_minutes\" integer NOT NULL DEFAULT '4320'");
    await queryRunner.query("ALTER TABLE \"missions\" ADD \"outcome_reminder_hours\" integer NOT NULL DEFAULT '72'");
    await queryRunner.query("ALTER TABLE \"missions\" ADD CONSTRAINT \"missions_sla_check\" CHECK (\"sla_emergency_minutes\" BETWEEN 5 AND 60 AND \"sla_urgent_minutes\" BETWEEN 60 AND 2880 AND \"sla_routine_minutes\" BETWEEN 60 AND 20160)");
    await queryRunner.query("ALTER TABLE \"patients\" ADD CONSTRAINT \"FK_77176cdc32ea2ec7fbb6cb48d9c\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"patients\" ADD CONSTRAINT \"FK_5cfdf950fbf9d83ff419a7ff49e\" FOREIGN KEY (\"current_facility_id\") REFERENCES \"facilities\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"patient_transfers\" ADD CONSTRAINT \"FK_1fea8f1b0d9e6647445fc593cb8\" FOREIGN KEY (\"patient_id\") REFERENCES \"patients\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"referral_cases\" ADD CONSTRAINT \"FK_940bcd117371b88b3d271ad9ec6\" FOREIGN KEY (\"mission_id\") REFERENCES \"missions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"referral_cases\" ADD CONSTRAINT \"FK_3a5264ea318acf2f867175f206f\" FOREIGN KEY (\"patient_id\") REFERENCES \"patients\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"referral_cases\" ADD CONSTRAINT \"FK_26e491f4c4977cf042cd92d6a7b\" FOREIGN KEY (\"facility_id\") REFERENCES \"facilities\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"referral_cases\" ADD CONSTRAINT \"FK_a5b98932597fc40914f13e65360\" FOREIGN KEY (\"requested_by_id\") REFERENCES \"users\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"referral_cases\" ADD CONSTRAINT \"FK_523d06f53b91bc85c0fd0fd56eb\" FOREIGN KEY (\"specialty_code\") REFERENCES \"specialties\"(\"code\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"case_transitions\" ADD CONSTRAINT \"FK_d553ca7322f12d807acab3f9123\" FOREIGN KEY (\"case_id\") REFERENCES \"referral_cases\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"case_messages\" ADD CONSTRAINT \"FK_5b3b267efe4cfecbd9fa66a8449\" FOREIGN KEY (\"case_id\") REFERENCES \"referral_cases\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"case_attachments\" ADD CONSTRAINT \"FK_b786b12df72a5221b85ad640963\" FOREIGN KEY (\"case_id\") REFERENCES \"referral_cases\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"case_escalations\" ADD CONSTRAINT \"FK_93b3ebedfc57744b638b8626ea9\" FOREIGN KEY (\"case_id\") REFERENCES \"referral_cases\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"notifications\" ADD CONSTRAINT \"FK_9a8a82462cab47c73d25f49261f\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    // The referral specialties (a table, so a mission can add its own).
    await queryRunner.query(`INSERT INTO specialties (code, name) VALUES
      ('general_medicine', 'General medicine'), ('surgery', 'Surgery'), ('orthopaedics', 'Orthopaedics'),
      ('internal_medicine', 'Internal medicine'), ('paediatrics', 'Paediatrics'),
      ('obstetrics_gynaecology', 'Obstetrics and gynaecology'), ('dermatology', 'Dermatology'),
      ('mental_health', 'Mental health'), ('radiology', 'Radiology'), ('cardiology', 'Cardiology'),
      ('infectious_disease', 'Infectious disease'), ('ophthalmology', 'Ophthalmology'), ('dentistry', 'Dentistry'),
      ('oncology', 'Oncology'), ('palliative_care', 'Palliative care')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"notifications\" DROP CONSTRAINT \"FK_9a8a82462cab47c73d25f49261f\"");
    await queryRunner.query("ALTER TABLE \"case_escalations\" DROP CONSTRAINT \"FK_93b3ebedfc57744b638b8626ea9\"");
    await queryRunner.query("ALTER TABLE \"case_attachments\" DROP CONSTRAINT \"FK_b786b12df72a5221b85ad640963\"");
    await queryRunner.query("ALTER TABLE \"case_messages\" DROP CONSTRAINT \"FK_5b3b267efe4cfecbd9fa66a8449\"");
    await queryRunner.query("ALTER TABLE \"case_transitions\" DROP CONSTRAINT \"FK_d553ca7322f12d807acab3f9123\"");
    await queryRunner.query("ALTER TABLE \"referral_cases\" DROP CONSTRAINT \"FK_523d06f53b91bc85c0fd0fd56eb\"");
    await queryRunner.query("ALTER TABLE \"referral_cases\" DROP CONSTRAINT \"FK_a5b98932597fc40914f13e65360\"");
    await queryRunner.query("ALTER TABLE \"referral_cases\" DROP CONSTRAINT \"FK_26e491f4c4977cf042cd92d6a7b\"");
    await queryRunner.query("ALTER TABLE \"referral_cases\" DROP CONSTRAINT \"FK_3a5264ea318acf2f867175f206f\"");
    await queryRunner.query("ALTER TABLE \"referral_cases\" DROP CONSTRAINT \"FK_940bcd117371b88b3d271ad9ec6\"");
    await queryRunner.query("ALTER TABLE \"patient_transfers\" DROP CONSTRAINT \"FK_1fea8f1b0d9e6647445fc593cb8\"");
    await queryRunner.query("ALTER TABLE \"patients\" DROP CONSTRAINT \"FK_5cfdf950fbf9d83ff419a7ff49e\"");
    await queryRunner.query("ALTER TABLE \"patients\" DROP CONSTRAINT \"FK_77176cdc32ea2ec7fbb6cb48d9c\"");
    await queryRunner.query("ALTER TABLE \"missions\" DROP CONSTRAINT \"missions_sla_check\"");
    await queryRunner.query("ALTER TABLE \"missions\" DROP COLUMN \"outcome_reminder_hours\"");
    await queryRunner.query("ALTER TABLE \"missions\" DROP COLUMN \"sla_routine_minutes\"");
    await queryRunner.query("ALTER TABLE \"missions\" DROP COLUMN \"sla_urgent_minutes\"");
    await queryRunner.query("ALTER TABLE \"missions\" DROP COLUMN \"sla_emergency_minutes\"");
    await queryRunner.query("DROP INDEX \"public\".\"notifications_user_idx\"");
    await queryRunner.query("DROP TABLE \"notifications\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_escalations_case_level_key\"");
    await queryRunner.query("DROP TABLE \"case_escalations\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_attachments_upload_key\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_attachments_case_idx\"");
    await queryRunner.query("DROP TABLE \"case_attachments\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_messages_case_idx\"");
    await queryRunner.query("DROP TABLE \"case_messages\"");
    await queryRunner.query("DROP INDEX \"public\".\"case_transitions_case_idx\"");
    await queryRunner.query("DROP TABLE \"case_transitions\"");
    await queryRunner.query("DROP INDEX \"public\".\"referral_cases_queue_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"referral_cases_facility_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"referral_cases_mission_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"referral_cases_doctor_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"referral_cases_patient_idx\"");
    await queryRunner.query("DROP TABLE \"referral_cases\"");
    await queryRunner.query("DROP INDEX \"public\".\"patient_transfers_patient_idx\"");
    await queryRunner.query("DROP TABLE \"patient_transfers\"");
    await queryRunner.query("DROP INDEX \"public\".\"patients_mission_service_number_key\"");
    await queryRunner.query("DROP INDEX \"public\".\"patients_facility_idx\"");
    await queryRunner.query("DROP TABLE \"patients\"");
    await queryRunner.query("DROP TABLE \"specialties\"");
  }
}
