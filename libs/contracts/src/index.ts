export * from './roles';
export * from './identity';
export * from './cases';
export * from './consultations';
export * from './media';
export * from './media-policy';
