export * from './entities/consultation-session.entity';
export * from './entities/consultation-participant.entity';
export * from './entities/consultation-invitation.entity';
export * from './consultation-events';
export * from './consultations.service';
export * from './turn-credentials';
export * from './consultations.module';
