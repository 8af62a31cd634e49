export * from './roles';
export * from './identity';
export * from './cases';
export * from './media';
export * from './media-policy';
export * from './consultations';
