import { Controller, DynamicModule, Get, Module } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Policy } from '@hub/access';
import type { NodeQueueView } from '@hub/contracts';
import { NodeQueue } from './node-queue';
import { NodeSync, NodeSyncStatus } from './node-sync';

export const NODE_SYNC = Symbol('NODE_SYNC');

/**
 * The node's sync status for the web app's status bar (GET /api/node/status) and sync page (GET /api/node/queue).
 * Node only: on the hub these routes do not exist (404), which is how the web app knows where it runs.
 */
@ApiTags('field node')
@Controller('node')
class NodeStatusController {
  constructor(
    private readonly sync: NodeSync,
    private readonly queue: NodeQueue,
  ) {}

  @Get('status')
  @Policy.authenticated({ duringMfaEnrolment: true })
  status(): Promise<NodeSyncStatus> {
    return this.sync.status();
  }

  /** The outbox and the files waiting, and what the hub refused or kept as a conflict (any signed-in user of the clinic). */
  @Get('queue')
  @Policy.authenticated()
  list(): Promise<NodeQueueView> {
    return this.queue.view();
  }
}

@Module({})
export class NodeStatusModule {
  static forRoot(sync: NodeSync): DynamicModule {
    return { module: NodeStatusModule, controllers: [NodeStatusController], providers: [{ provide: NodeSync, useValue: sync }, NodeQueue] };
  }
}
