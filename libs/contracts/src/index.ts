export * from './roles';
export * from './identity';
export * from './cases';
export * from './training';
export * from './media';
export * from './media-policy';
export * from './consultations';
export * from './sync';
