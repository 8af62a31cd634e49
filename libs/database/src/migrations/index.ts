import { Initial1795389581848 } from './1795389581848-Initial';
import { Cases1795391531352 } from './1795391531352-Cases';
import { Monitoring1795393686401 } from './1795393686401-Monitoring';
import { Consultations1795411558677 } from './1795411558677-Consultations';
import { Training1795411695307 } from './1795411695307-Training';
import { TrainingChecks1795413323532 } from './1795413323532-TrainingChecks';
import { Localisation1795931591000 } from './1795931591000-Localisation';

// Ordered list of migrations; add new ones at the end.
export const MIGRATIONS: Function[] = [
  Initial1795389581848,
  Cases1795391531352,
  Monitoring1795393686401,
  Consultations1795411558677,
  Training1795411695307,
  TrainingChecks1795413323532,
  Localisation1795931591000,
];
