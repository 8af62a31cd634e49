import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { Action, actorOf, Caller, CallerContext, CallingNode, NodeIdentity, Policy, RecordAccess } from '@hub/access';
import { AuditService } from '@hub/audit';
import { DomainException, ErrorCode, IdParam } from '@hub/common';
import type { AttachmentOfferResult, AttachmentProgress, NodeBudget } from '@hub/contracts';
import { AttachmentTransfersService, MAX_CHUNK_BYTES } from './attachment-transfers.service';
import { AttachmentOfferDto, AttachmentOffersDto, NodeBudgetDto, ThumbnailQuery } from './dto/sync.dto';

/** Reads a raw request body (a chunk of a file), refusing more than `limit` bytes. */
async function rawBody(req: Request, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > limit) throw new DomainException(ErrorCode.PayloadTooLarge, `body: a chunk is at most ${limit} bytes`);
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/**
 * Attachments between field nodes and the hub (docs/field-node.md, "Attachments"), and the bandwidth budget a
 * mission sets for its nodes.
 */
@ApiTags('sync')
@Controller('sync')
export class AttachmentTransfersController {
  constructor(
    private readonly transfers: AttachmentTransfersService,
    private readonly dataSource: DataSource,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
  ) {}

  @Post('attachments')
  @HttpCode(200)
  @Policy.node()
  offer(@CallingNode() node: NodeIdentity, @Body() dto: AttachmentOfferDto): Promise<AttachmentProgress> {
    return this.transfers.offer(node, { ...dto, messageId: dto.messageId ?? null });
  }

  /**
   * Many announcements in one request (a clinic's backlog of photos): one round trip instead of one per file on a
   * link of 600 ms. Each is handled as `POST attachments` would, and answers as it would have.
   */
  @Post('attachments/offers')
  @HttpCode(200)
  @Policy.node()
  async offers(@CallingNode() node: NodeIdentity, @Body() dto: AttachmentOffersDto): Promise<{ results: AttachmentOfferResult[] }> {
    const results: AttachmentOfferResult[] = [];
    for (const offer of dto.offers) {
      try {
        results.push({ id: offer.id, status: 200, progress: await this.transfers.offer(node, { ...offer, messageId: offer.messageId ?? null }) });
      } catch (e) {
        if (!(e instanceof DomainException)) throw e;
        results.push({ id: offer.id, status: e.statusCode, code: e.code, message: e.message });
      }
    }
    return { results };
  }

  @Get('attachments/:id')
  @Policy.node()
  progress(@CallingNode() node: NodeIdentity, @Param() { id }: IdParam): Promise<AttachmentProgress> {
    return this.transfers.progressOf(node, id);
  }

  @Patch('attachments/:id')
  @Policy.node()
  async append(@CallingNode() node: NodeIdentity, @Param() { id }: IdParam, @Headers('upload-offset') offset: string | undefined, @Req() req: Request): Promise<AttachmentProgress> {
    if (!/^\d{1,15}$/.test(offset ?? '')) throw DomainException.invalid('Upload-Offset', 'give the byte offset of this chunk (the offset the hub acknowledged)');
    return this.transfers.append(node, id, Number(offset), await rawBody(req, MAX_CHUNK_BYTES));
  }

  @Put('attachments/:id/thumbnail')
  @Policy.node()
  async thumbnail(@CallingNode() node: NodeIdentity, @Param() { id }: IdParam, @Req() req: Request): Promise<AttachmentProgress> {
    return this.transfers.thumbnail(node, id, await rawBody(req, MAX_CHUNK_BYTES));
  }

  /** A file of the facility's cases for the node, from the byte a `Range: bytes=N-` header names (a resumed download). */
  @Get('attachments/:id/content')
  @Policy.node()
  async content(@CallingNode() node: NodeIdentity, @Param() { id }: IdParam, @Query() q: ThumbnailQuery, @Headers('range') range: string | undefined, @Res() res: Response): Promise<void> {
    const m = /^bytes=(\d{1,15})-$/.exec(range ?? 'bytes=0-');
    if (!m) throw DomainException.invalid('Range', 'only "bytes=N-" is supported');
    const f = await this.transfers.read(node, id, q.thumbnail === '1' || q.thumbnail === 'true', Number(m[1]));
    res.status(range ? 206 : 200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(f.size - f.start));
    if (range) res.setHeader('Content-Range', `bytes ${f.start}-${Math.max(f.start, f.size - 1)}/${f.size}`);
    f.stream.pipe(res);
  }

  @Get('budgets/:id')
  @Policy.can(Action.Update, 'FieldNode')
  async budget(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<NodeBudget> {
    await this.mission(caller, id);
    const [b] = await this.dataSource.query('SELECT rate_kbps, daily_megabytes FROM node_budgets WHERE mission_id = $1', [id]);
    return { rateKbps: b?.rate_kbps ?? null, dailyMegabytes: b?.daily_megabytes ?? null };
  }

  /** The bandwidth budget of every node of a mission for attachments: kbit/s and megabytes a day (null: no limit). */
  @Put('budgets/:id')
  @Policy.can(Action.Update, 'FieldNode')
  async setBudget(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: NodeBudgetDto): Promise<NodeBudget> {
    await this.mission(caller, id);
    const budget = { rateKbps: dto.rateKbps ?? null, dailyMegabytes: dto.dailyMegabytes ?? null };
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO node_budgets (mission_id, rate_kbps, daily_megabytes, updated_by_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (mission_id) DO UPDATE SET rate_kbps = EXCLUDED.rate_kbps, daily_megabytes = EXCLUDED.daily_megabytes, updated_by_id = EXCLUDED.updated_by_id, updated_at = now()`,
        [id, budget.rateKbps, budget.dailyMegabytes, caller.principal.userId],
      );
      await this.audit.record({ ...actorOf(caller), action: 'sync.budget_set', outcome: 'success', missionId: id, subjectType: 'Mission', subjectId: id, details: budget }, m);
    });
    return budget;
  }

  /** The budget belongs to the mission's field nodes: whoever administers them (the field-node policy). */
  private async mission(caller: CallerContext, id: string) {
    const [found] = await this.dataSource.query('SELECT id FROM missions WHERE id = $1', [id]);
    if (!found) throw DomainException.notFound('Mission');
    await this.access.assert(caller, Action.Update, 'FieldNode', { missionId: found.id }, { id, missionId: found.id });
  }
}
