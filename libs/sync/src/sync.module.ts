import { Module } from '@nestjs/common';
import { AccessModule, NODE_AUTHENTICATOR } from '@hub/access';
import { CasesModule } from '@hub/cases';
import { IdentityModule } from '@hub/identity';
import { NotificationsModule } from '@hub/notifications';
import { AttachmentTransfersController } from './attachment-transfers.controller';
import { AttachmentTransfersService } from './attachment-transfers.service';
import { FieldNodesController } from './field-nodes.controller';
import { FieldNodesRepository } from './field-nodes.repository';
import { FieldNodesService } from './field-nodes.service';
import { NodeAuditService } from './node-audit.service';
import { PullService } from './pull.service';
import { PushService } from './push.service';
import { SyncController } from './sync.controller';
import { SyncLogPruner } from './sync-log-pruner';

/** Field-node registration and the sync protocol, hub side (docs/field-node.md). */
@Module({
  imports: [AccessModule, IdentityModule, CasesModule, NotificationsModule],
  controllers: [FieldNodesController, SyncController, AttachmentTransfersController],
  providers: [FieldNodesRepository, FieldNodesService, PushService, PullService, AttachmentTransfersService, NodeAuditService, SyncLogPruner, { provide: NODE_AUTHENTICATOR, useExisting: FieldNodesService }],
  exports: [NODE_AUTHENTICATOR, FieldNodesService, SyncLogPruner],
})
export class SyncModule {}
