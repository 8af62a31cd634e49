export * from './entities/field-node.entity';
export * from './entities/sync-operation.entity';
export * from './entities/sync-change.entity';
export * from './sync.module';
export * from './field-nodes.service';
export * from './node-credential';
export * from './node-scope';
export * from './sync-log-pruner';
export { SNAPSHOT_PAGE_BYTES } from './pull.service';
