export * from './notification.entity';
export * from './notifications.service';
export * from './notifications.gateway';
export * from './notifications.module';
export * from './socket-pushes';
export * from './notifications.repository';
