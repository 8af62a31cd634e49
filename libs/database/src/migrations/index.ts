import { Initial1795389581848 } from './1795389581848-Initial';

// Ordered list of migrations; add new ones at the end.
export const MIGRATIONS: Function[] = [Initial1795389581848];
