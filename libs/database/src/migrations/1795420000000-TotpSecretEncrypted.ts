import { MigrationInterface, QueryRunner } from 'typeorm';

/** TOTP secrets are stored encrypted (AES-256-GCM, key outside the database): the column needs room for it. */
export class TotpSecretEncrypted1795420000000 implements MigrationInterface {
  name = 'TotpSecretEncrypted1795420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ALTER COLUMN "mfa_secret" TYPE varchar(200)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Fails while encrypted secrets are stored (they do not fit): clear them (users re-enrol) before going back.
    await q.query(`ALTER TABLE "users" ALTER COLUMN "mfa_secret" TYPE varchar(64)`);
  }
}
