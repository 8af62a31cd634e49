import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Action, Caller, CallerContext, Policy, RateLimits, RequestContext, RequestInfo } from '@hub/access';
import { IdParam } from '@hub/common';
import type { CertificateVerification, CertificateView, ComplianceReport, WaiverView } from '@hub/contracts';
import { CertificatesService } from './certificates.service';
import { CertificateListQuery, CodeParam, ComplianceQuery, CreateWaiverDto, MissionQuery, RevokeDto } from './dto/training.dto';

/** Certificates, waivers and compliance; plus the one public route, certificate verification. */
@ApiTags('training')
@Controller()
export class CertificatesController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly limits: RateLimits,
  ) {}

  /**
   * Public on purpose: anyone holding a certificate's code may check it; the answer carries name, course, dates.
   * Limited per address (CERTIFICATE_VERIFY_PER_MINUTE), so codes cannot be guessed in bulk.
   */
  @Get('certificates/verify/:code')
  @Policy.public()
  async verify(@Param() { code }: CodeParam, @RequestInfo() ctx: RequestContext): Promise<CertificateVerification> {
    await this.limits.consume('certificate-verify', ctx.ip ?? 'unknown', 'Too many certificate verifications from this address');
    return this.certificates.verify(code);
  }

  @Get('training/certificates')
  @Policy.authenticated()
  list(@Caller() caller: CallerContext, @Query() q: CertificateListQuery): Promise<CertificateView[]> {
    return this.certificates.list(caller, q);
  }

  @Get('training/certificates/:id')
  @Policy.authenticated()
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<CertificateView> {
    return this.certificates.get(caller, id);
  }

  @Get('training/certificates/:id/pdf')
  @Policy.authenticated()
  async pdf(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Req() req: Request, @Res() res: Response): Promise<void> {
    const f = await this.certificates.pdf(caller, id, `${req.protocol}://${req.get('host')}`);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${f.filename}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(f.body);
  }

  @Post('training/certificates/:id/revoke')
  @HttpCode(200)
  @Policy.can(Action.Update, 'Certificate')
  revoke(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: RevokeDto): Promise<CertificateView> {
    return this.certificates.revoke(caller, id, dto.reason);
  }

  @Get('training/waivers')
  @Policy.can(Action.Read, 'Waiver')
  waivers(@Caller() caller: CallerContext, @Query() q: MissionQuery): Promise<WaiverView[]> {
    return this.certificates.waivers(caller, q);
  }

  @Post('training/waivers')
  @Policy.can(Action.Create, 'Waiver')
  grant(@Caller() caller: CallerContext, @Body() dto: CreateWaiverDto): Promise<WaiverView> {
    return this.certificates.grantWaiver(caller, dto);
  }

  @Post('training/waivers/:id/revoke')
  @HttpCode(200)
  @Policy.can(Action.Update, 'Waiver')
  revokeWaiver(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: RevokeDto): Promise<WaiverView> {
    return this.certificates.revokeWaiver(caller, id, dto.reason);
  }

  @Get('training/compliance')
  @Policy.can(Action.Read, 'Compliance')
  compliance(@Caller() caller: CallerContext, @Query() q: ComplianceQuery): Promise<ComplianceReport> {
    return this.certificates.compliance(caller, q.missionId);
  }
}
