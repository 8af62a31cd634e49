import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CallingNode, NodeIdentity, Policy } from '@hub/access';
import { PullResponse, PushResponse } from '@hub/contracts';
import { PullQueryDto, PushDto } from './dto/sync.dto';
import { AttachmentTransfersService } from './attachment-transfers.service';
import { FieldNodesService } from './field-nodes.service';
import { PullService } from './pull.service';
import { PushService } from './push.service';

/** The sync protocol of field nodes (docs/field-node.md): push an outbox batch, pull the change log. */
@ApiTags('sync')
@Controller('sync')
export class SyncController {
  constructor(
    private readonly pushes: PushService,
    private readonly pulls: PullService,
    private readonly nodes: FieldNodesService,
    private readonly transfers: AttachmentTransfersService,
  ) {}

  @Post('push')
  @HttpCode(200)
  @Policy.node()
  async push(@CallingNode() node: NodeIdentity, @Body() dto: PushDto): Promise<PushResponse> {
    await this.nodes.reportState(node.nodeId, dto.backlog, dto.version);
    return this.pushes.push(node, dto.operations);
  }

  @Get('pull')
  @Policy.node()
  async pull(@CallingNode() node: NodeIdentity, @Query() query: PullQueryDto): Promise<PullResponse> {
    return { ...(await this.pulls.pull(node, query.cursor, query.limit)), budget: await this.transfers.budget(node) };
  }
}
