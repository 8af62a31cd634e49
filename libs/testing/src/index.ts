export * from './test-database';
export * from './test-app';
export * from './routes';
export * from './browser';
export * from './dicom';
