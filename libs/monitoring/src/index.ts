export * from './case-fact.entity';
export * from './dashboard.repository';
export * from './monitoring.service';
export * from './monitoring.module';
export * from './field-node-health.repository';
