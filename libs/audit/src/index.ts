export * from './audit-entry.entity';
export * from './audit-seal.entity';
export * from './audit-hash';
export * from './audit-options';
export * from './audit-checkpoint';
export * from './audit-sealer';
export * from './audit.service';
export * from './audit.module';
