export * from './roles';
export * from './identity';
export * from './cases';
export * from './consultations';
