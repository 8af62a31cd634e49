import { Initial1795389581848 } from './1795389581848-Initial';
import { Cases1795391531352 } from './1795391531352-Cases';
import { Monitoring1795393686401 } from './1795393686401-Monitoring';
import { Consultations1795411558677 } from './1795411558677-Consultations';
import { Training1795411695307 } from './1795411695307-Training';
import { TrainingChecks1795413323532 } from './1795413323532-TrainingChecks';
import { TotpSecretEncrypted1795420000000 } from './1795420000000-TotpSecretEncrypted';
import { Localisation1795931591000 } from './1795931591000-Localisation';
import { AuditSeals1795931769036 } from './1795931769036-AuditSeals';
import { IdempotencyKeys1795932016901 } from './1795932016901-IdempotencyKeys';
import { FieldNodeSync1795932672955 } from './1795932672955-FieldNodeSync';
import { PrincipalChanges1795933585083 } from './1795933585083-PrincipalChanges';
import { AuditOwner1795934802672 } from './1795934802672-AuditOwner';
import { NodeAttachments1795950300000 } from './1795950300000-NodeAttachments';
import { NodeAudit1795950340000 } from './1795950340000-NodeAudit';
import { ScaleOut1795950400000 } from './1795950400000-ScaleOut';
import { ClusterMediaNodes1795950500000 } from './1795950500000-ClusterMediaNodes';
import { MentalHealth1795950600000 } from './1795950600000-MentalHealth';
import { FollowUpPlansRotations1795950700000 } from './1795950700000-FollowUpPlansRotations';
import { ConsultationRecording1795954100000 } from './1795954100000-ConsultationRecording';
import { BreakGlass1795954200000 } from './1795954200000-BreakGlass';
import { FieldNodeAlerts1795954300000 } from './1795954300000-FieldNodeAlerts';
import { SyncLogPruning1795954400000 } from './1795954400000-SyncLogPruning';
import { SyncLogDedup1795954900000 } from './1795954900000-SyncLogDedup';

// Ordered by timestamp, the order TypeORM applies them and a backup records them; add new ones at the end.
export const MIGRATIONS: Function[] = [
  Initial1795389581848,
  Cases1795391531352,
  Monitoring1795393686401,
  Consultations1795411558677,
  Training1795411695307,
  TrainingChecks1795413323532,
  TotpSecretEncrypted1795420000000,
  Localisation1795931591000,
  AuditSeals1795931769036,
  IdempotencyKeys1795932016901,
  FieldNodeSync1795932672955,
  PrincipalChanges1795933585083,
  AuditOwner1795934802672,
  NodeAttachments1795950300000,
  NodeAudit1795950340000,
  ScaleOut1795950400000,
  ClusterMediaNodes1795950500000,
  MentalHealth1795950600000,
  FollowUpPlansRotations1795950700000,
  ConsultationRecording1795954100000,
  BreakGlass1795954200000,
  FieldNodeAlerts1795954300000,
  SyncLogPruning1795954400000,
  SyncLogDedup1795954900000,
];
