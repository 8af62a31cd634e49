export * from './entities/availability-slot.entity';
export * from './entities/mental-health-booking.entity';
export * from './zoned-time';
export * from './mental-health.service';
export * from './mental-health.module';
