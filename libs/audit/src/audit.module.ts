import { Global, Module } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { AUDIT_OPTIONS, AuditOptions } from './audit-options';
import { AuditSealer } from './audit-sealer';
import { AuditService } from './audit.service';

/** File name of the signed chain heads in the data directory. */
export const AUDIT_CHECKPOINT_FILE = 'audit-checkpoints.json';

/** File name of the generated audit key in the data directory (when AUDIT_KEY is not set). */
export const AUDIT_KEY_FILE = 'audit-key';

/**
 * The audit key (AUDIT_KEY, else generated once into the data directory, readable by the hub's user only) and the
 * checkpoint file. The key never enters the database: whoever can only reach the database cannot forge a seal.
 */
export function auditOptionsFor(config: AppConfig): AuditOptions {
  let key = config.auditKey;
  if (!key) {
    mkdirSync(config.dataDir, { recursive: true });
    const file = join(config.dataDir, AUDIT_KEY_FILE);
    if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    key = readFileSync(file, 'utf8').trim();
  }
  return {
    key: Buffer.from(key, 'utf8'),
    checkpointFile: join(config.dataDir, AUDIT_CHECKPOINT_FILE),
    sealIntervalMs: config.auditSealIntervalMs,
  };
}

@Global()
@Module({
  providers: [
    { provide: AUDIT_OPTIONS, inject: [APP_CONFIG], useFactory: auditOptionsFor },
    AuditService,
    AuditSealer,
  ],
  exports: [AuditService, AuditSealer, AUDIT_OPTIONS],
})
export class AuditModule {}
