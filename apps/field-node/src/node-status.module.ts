import { Controller, DynamicModule, Get, Module } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Policy } from '@hub/access';
import { NodeSync, NodeSyncStatus } from './node-sync';

export const NODE_SYNC = Symbol('NODE_SYNC');

/** The node's sync status for the web app's status bar (GET /api/node/status). Node only: not on the hub. */
@ApiTags('field node')
@Controller('node')
class NodeStatusController {
  constructor(private readonly sync: NodeSync) {}

  @Get('status')
  @Policy.authenticated({ duringMfaEnrolment: true })
  status(): Promise<NodeSyncStatus> {
    return this.sync.status();
  }
}

@Module({})
export class NodeStatusModule {
  static forRoot(sync: NodeSync): DynamicModule {
    return { module: NodeStatusModule, controllers: [NodeStatusController], providers: [{ provide: NodeSync, useValue: sync }] };
  }
}
