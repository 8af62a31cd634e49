export * from './config';
export * from './env.schema';
export * from './config.module';
export * from './node-config';
