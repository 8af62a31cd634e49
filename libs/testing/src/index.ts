export * from './test-database';
export * from './test-app';
export * from './routes';
export * from './browser';
export * from './link-relay';
export * from './hub-process';
export * from './dicom';
export * from './front-door';
