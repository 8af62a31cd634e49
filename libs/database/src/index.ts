export * from './data-source';
export * from './database.module';
export * from './embedded-postgres';
export * from './esm-import';
export * from './snake-naming.strategy';
export * from './migrations';
export * from './ambient-transaction';
export * from './backup';
