import { MigrationInterface, QueryRunner } from 'typeorm';


// Idempotency-Key of writes (libs/idempotency): kept with the write in one transaction, swept after 48 h.
export class IdempotencyKeys1795932016901 implements MigrationInterface {
  name = 'IdempotencyKeys1795932016901';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"idempotency_keys\" (\"user_id\" uuid NOT NULL, \"key\" character varying(200) NOT NULL, \"method\" character varying(10) NOT NULL, \"path\" character varying(500) NOT NULL, \"fingerprint\" character(64) NOT NULL, \"status_code\" integer NOT NULL, \"response\" jsonb, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_392b1af86f210d98d3f0c764728\" PRIMARY KEY (\"user_id\", \"key\"))");
    await queryRunner.query("CREATE INDEX \"idempotency_keys_created_idx\" ON \"idempotency_keys\"  (\"created_at\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"public\".\"idempotency_keys_created_idx\"");
    await queryRunner.query("DROP TABLE \"idempotency_keys\"");
  }
}
