export * from './error-codes';
export * from './domain.exception';
export * from './validation';
export * from './exception.filter';
export * from './logging';
export * from './clock';
export * from './periodic-task';
export * from './params';
