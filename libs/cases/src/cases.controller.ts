import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { IsIn, IsOptional } from 'class-validator';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import type { CasePage, CaseView } from '@hub/contracts';
import { AttachmentsService } from './attachments.service';
import { CasesService } from './cases.service';
import { AttachmentParams, CaseListQuery, CreateCaseDto, HandOverDto, MessageDto, NoteDto, OutcomeDto, RequestInformationDto, ResubmitDto, UpdateCaseDto } from './dto/case.dto';
import { AnswerWithPlanDto } from './dto/follow-up.dto';
import { Specialty } from './entities/specialty.entity';

class FileQuery {
  @IsOptional()
  @IsIn(['1', 'true'], { message: 'thumbnail must be 1 or true' })
  thumbnail?: string;
}

@ApiTags('cases')
@Controller()
export class CasesController {
  constructor(
    private readonly cases: CasesService,
    private readonly attachments: AttachmentsService,
  ) {}

  @Get('specialties')
  @Policy.authenticated()
  specialties(): Promise<Specialty[]> {
    return this.cases.specialties();
  }

  @Get('cases')
  @Policy.can(Action.Read, 'Case')
  list(@Caller() caller: CallerContext, @Query() q: CaseListQuery): Promise<CasePage> {
    return this.cases.list(caller, q);
  }

  @Post('cases')
  @Policy.can(Action.Refer, 'Case')
  create(@Caller() caller: CallerContext, @Body() dto: CreateCaseDto): Promise<CaseView> {
    return this.cases.create(caller, dto);
  }

  @Get('cases/:id')
  @Policy.can(Action.Read, 'Case')
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<CaseView> {
    return this.cases.get(caller, id);
  }

  @Patch('cases/:id')
  @Policy.can(Action.Refer, 'Case')
  update(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: UpdateCaseDto): Promise<CaseView> {
    return this.cases.update(caller, id, dto);
  }

  @Post('cases/:id/submit')
  @HttpCode(200)
  @Policy.can(Action.Refer, 'Case')
  submit(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: NoteDto): Promise<CaseView> {
    return this.cases.submit(caller, id, dto.note);
  }

  @Post('cases/:id/resubmit')
  @HttpCode(200)
  @Policy.can(Action.Refer, 'Case')
  resubmit(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: ResubmitDto): Promise<CaseView> {
    return this.cases.resubmit(caller, id, dto);
  }

  @Post('cases/:id/close')
  @HttpCode(200)
  @Policy.can(Action.Refer, 'Case')
  close(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: OutcomeDto): Promise<CaseView> {
    return this.cases.close(caller, id, dto);
  }

  @Post('cases/:id/cancel')
  @HttpCode(200)
  @Policy.can(Action.Refer, 'Case')
  cancel(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: NoteDto): Promise<CaseView> {
    return this.cases.cancel(caller, id, dto.note);
  }

  @Post('cases/:id/accept')
  @HttpCode(200)
  @Policy.can(Action.Consult, 'Case')
  accept(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<CaseView> {
    return this.cases.accept(caller, id);
  }

  @Post('cases/:id/request-information')
  @HttpCode(200)
  @Policy.can(Action.Consult, 'Case')
  requestInformation(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: RequestInformationDto): Promise<CaseView> {
    return this.cases.requestInformation(caller, id, dto);
  }

  @Post('cases/:id/answer')
  @HttpCode(200)
  @Policy.can(Action.Consult, 'Case')
  answer(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: AnswerWithPlanDto): Promise<CaseView> {
    return this.cases.answer(caller, id, dto);
  }

  @Post('cases/:id/hand-over')
  @HttpCode(200)
  @Policy.can(Action.Consult, 'Case')
  handOver(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: HandOverDto): Promise<CaseView> {
    return this.cases.handOver(caller, id, dto);
  }

  @Post('cases/:id/messages')
  @Policy.can(Action.Read, 'Case')
  message(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: MessageDto): Promise<CaseView> {
    return this.cases.addMessage(caller, id, dto);
  }

  @Get('cases/:id/fhir')
  @Policy.can(Action.Read, 'Case')
  async fhir(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    res.type('application/fhir+json');
    return this.cases.fhirBundle(caller, id, `${req.protocol}://${req.get('host')}`);
  }

  @Get('cases/:id/attachments/:attachmentId')
  @Policy.can(Action.Read, 'Case')
  async file(@Caller() caller: CallerContext, @Param() p: AttachmentParams, @Query() q: FileQuery, @Res() res: Response) {
    const f = await this.attachments.open(caller, p.id, p.attachmentId, !!q.thumbnail);
    res.setHeader('Content-Type', f.mediaType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('Content-Disposition', `${f.mediaType.startsWith('image/') ? 'inline' : 'attachment'}; filename="${encodeURIComponent(f.filename)}"`);
    res.sendFile(f.path);
  }
}
