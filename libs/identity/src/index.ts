export * from './entities/mission.entity';
export * from './entities/facility.entity';
export * from './entities/user.entity';
export * from './entities/membership.entity';
export * from './entities/refresh-token.entity';
export * from './password.service';
export * from './auth.service';
export * from './identity.module';
