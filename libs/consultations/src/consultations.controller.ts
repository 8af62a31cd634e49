import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { DomainException, ErrorCode, IdParam } from '@hub/common';
import type {
  InvitationView,
  ConsultationRecordView,
  ConsultationSessionView,
  CreatedInvitation,
  ParticipantView,
  ProbeUploadResult,
  TurnCredentialsView,
} from '@hub/contracts';
import { ConsultationsService } from './consultations.service';
import { CreateConsultationDto, CreateInvitationDto, DeclineDto, InvitationParams, ParticipantParams, ProbeQuery } from './dto/consultation.dto';

const PROBE_MAX_BYTES = 2048 * 1024;

/**
 * Live consultations over HTTP: create and read sessions, invitations, the waiting-room decisions (also socket
 * events), ending, TURN credentials, the session records of a case, and the pre-call bandwidth probe.
 */
@ApiTags('consultations')
@Controller()
export class ConsultationsController {
  constructor(private readonly consultations: ConsultationsService) {}

  @Post('consultations')
  @Policy.authenticated()
  create(@Caller() caller: CallerContext, @Body() dto: CreateConsultationDto): Promise<ConsultationSessionView> {
    return this.consultations.create(caller, dto);
  }

  @Get('consultations')
  @Policy.authenticated()
  mine(@Caller() caller: CallerContext): Promise<ConsultationSessionView[]> {
    return this.consultations.mine(caller);
  }

  /** Pre-call probe: N KB of random (incompressible) bytes, never cached. */
  @Get('consultations/probe/download')
  @Policy.authenticated()
  download(@Query() q: ProbeQuery, @Res() res: Response): void {
    res.set({ 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store', 'Content-Encoding': 'identity' });
    res.status(200).send(randomBytes(q.kb * 1024));
  }

  /** Pre-call probe: takes up to 2 MB and says how much arrived and how long the server spent reading it. */
  @Post('consultations/probe/upload')
  @HttpCode(200)
  @Policy.authenticated()
  async upload(@Req() req: Request): Promise<ProbeUploadResult> {
    const started = process.hrtime.bigint();
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > PROBE_MAX_BYTES) {
          req.pause();
          reject(new DomainException(ErrorCode.PayloadTooLarge, 'The probe takes at most 2048 KB'));
        }
      });
      req.on('end', () => resolve());
      req.on('error', reject);
    });
    return { receivedBytes: received, serverMs: Number(process.hrtime.bigint() - started) / 1e6 };
  }

  @Get('consultations/:id')
  @Policy.authenticated()
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<ConsultationSessionView> {
    return this.consultations.get(caller, id);
  }

  @Post('consultations/:id/invitations')
  @Policy.authenticated()
  invite(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: CreateInvitationDto): Promise<CreatedInvitation> {
    return this.consultations.invite(caller, id, dto);
  }

  /** Host only: the invitation's link stops working and whoever it let in is turned out. */
  @Post('consultations/:id/invitations/:invitationId/revoke')
  @HttpCode(200)
  @Policy.authenticated()
  revokeInvitation(@Caller() caller: CallerContext, @Param() p: InvitationParams): Promise<InvitationView> {
    return this.consultations.revokeInvitation(caller, p.id, p.invitationId);
  }

  @Post('consultations/:id/participants/:participantId/admit')
  @HttpCode(200)
  @Policy.authenticated()
  admit(@Caller() caller: CallerContext, @Param() p: ParticipantParams): Promise<ParticipantView> {
    return this.consultations.admit(caller, p.id, p.participantId);
  }

  @Post('consultations/:id/participants/:participantId/decline')
  @HttpCode(200)
  @Policy.authenticated()
  decline(@Caller() caller: CallerContext, @Param() p: ParticipantParams, @Body() dto: DeclineDto): Promise<ParticipantView> {
    return this.consultations.decline(caller, p.id, p.participantId, dto.reason ?? null);
  }

  @Post('consultations/:id/end')
  @HttpCode(200)
  @Policy.authenticated()
  end(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<ConsultationRecordView> {
    return this.consultations.end(caller, id);
  }

  /** Short-lived TURN credentials, for participants the host admitted. */
  @Get('consultations/:id/turn-credentials')
  @Policy.authenticated()
  turn(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<TurnCredentialsView> {
    return this.consultations.turn(caller, id);
  }

  /** The consultations of a case with their records (start, end, participants, duration, quality). */
  @Get('cases/:id/consultations')
  @Policy.can(Action.Read, 'Case')
  forCase(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<ConsultationRecordView[]> {
    return this.consultations.forCase(caller, id);
  }
}
