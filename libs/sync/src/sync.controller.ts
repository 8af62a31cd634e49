import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { ApiTags } from '@nestjs/swagger';
import { CallingNode, NodeIdentity, Policy } from '@hub/access';
import { NodeAuditReceipt, PullResponse, PushResponse } from '@hub/contracts';
import { NodeAuditBatchDto, PullQueryDto, PushDto, WaitQueryDto } from './dto/sync.dto';
import { NodeAuditService } from './node-audit.service';
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
    private readonly nodeAudit: NodeAuditService,
  ) {}

  /** The node's own sealed audit records, linked into the mission's trail (docs/field-node.md). */
  @Post('audit')
  @HttpCode(200)
  @Policy.node()
  shipAudit(@CallingNode() node: NodeIdentity, @Body() dto: NodeAuditBatchDto): Promise<NodeAuditReceipt> {
    return this.nodeAudit.receive(node, dto);
  }

  @Post('push')
  @HttpCode(200)
  @Policy.node()
  async push(@CallingNode() node: NodeIdentity, @Body() dto: PushDto): Promise<PushResponse> {
    await this.nodes.reportState(node.nodeId, dto.backlog, dto.version);
    return this.pushes.push(node, dto.operations);
  }

  /**
   * A page of the change log (or of a snapshot). Compressed when the node accepts it (brotli, else gzip): rows of
   * JSON shrink several times, which on a satellite link is most of the time a pull takes.
   */
  @Get('pull')
  @Policy.node()
  async pull(@CallingNode() node: NodeIdentity, @Query() query: PullQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const page: PullResponse = { ...(await this.pulls.pull(node, query.cursor, query.limit)), budget: await this.transfers.budget(node) };
    sendCompressed(page, req, res);
  }

  /** Live events for nodes: a long poll that answers when something for the node can be pulled (docs/field-node.md). */
  @Get('wait')
  @Policy.node()
  async wait(@CallingNode() node: NodeIdentity, @Query() query: WaitQueryDto, @Req() req: Request): Promise<{ changed: boolean }> {
    let gone = false;
    req.on('close', () => (gone = true));
    return this.pulls.wait(node, query.cursor, query.timeoutMs ?? 25_000, () => gone);
  }
}

/** Sends `body` as JSON, compressed as the client accepts (small bodies as they are). */
function sendCompressed(body: unknown, req: Request, res: Response): void {
  const json = JSON.stringify(body);
  const accepts = String(req.headers['accept-encoding'] ?? '');
  if (json.length < 1024 || !/\b(br|gzip)\b/.test(accepts)) {
    res.json(body);
    return;
  }
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (/\bbr\b/.test(accepts)) {
    res.setHeader('Content-Encoding', 'br');
    res.send(brotliCompressSync(json, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: json.length } }));
    return;
  }
  res.setHeader('Content-Encoding', 'gzip');
  res.send(gzipSync(json));
}
