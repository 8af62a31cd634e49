export * from './principal';
export * from './permissions';
export * from './ability.factory';
export * from './mission-scope';
export * from './policy.decorator';
export * from './access.guard';
export * from './record-access';
export * from './access.module';
