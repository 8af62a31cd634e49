import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller, CallerContext, Policy, RequestInfo, RequestContext } from '@hub/access';
import { LoginResponse, MeResponse, MfaSetupResponse, TokenPair } from '@hub/contracts';
import { AuthService } from './auth.service';
import { LoginDto, MfaEnableDto, RefreshDto, UpdateMeDto } from './dto/auth.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Policy.public()
  login(@Body() dto: LoginDto, @RequestInfo() ctx: RequestContext): Promise<LoginResponse> {
    return this.auth.login(dto.email, dto.password, dto.totp, ctx);
  }

  @Post('refresh')
  @HttpCode(200)
  @Policy.public()
  refresh(@Body() dto: RefreshDto, @RequestInfo() ctx: RequestContext): Promise<TokenPair> {
    return this.auth.refresh(dto.refreshToken, ctx);
  }

  @Post('logout')
  @HttpCode(204)
  @Policy.authenticated({ duringMfaEnrolment: true })
  async logout(@Body() dto: RefreshDto, @Caller() caller: CallerContext): Promise<void> {
    await this.auth.logout(dto.refreshToken, caller);
  }

  @Get('me')
  @Policy.authenticated({ duringMfaEnrolment: true })
  me(@Caller() caller: CallerContext): Promise<MeResponse> {
    return this.auth.describe(caller.principal);
  }

  /** The caller's own preferences (the interface language); nobody else's. */
  @Patch('me')
  @Policy.authenticated({ duringMfaEnrolment: true })
  updateMe(@Body() dto: UpdateMeDto, @Caller() caller: CallerContext): Promise<MeResponse> {
    return this.auth.updateMe(dto.locale, caller);
  }

  @Post('mfa/setup')
  @HttpCode(200)
  @Policy.authenticated({ duringMfaEnrolment: true })
  mfaSetup(@Caller() caller: CallerContext): Promise<MfaSetupResponse> {
    return this.auth.mfaSetup(caller);
  }

  @Post('mfa/enable')
  @HttpCode(200)
  @Policy.authenticated({ duringMfaEnrolment: true })
  mfaEnable(@Body() dto: MfaEnableDto, @Caller() caller: CallerContext): Promise<LoginResponse> {
    return this.auth.mfaEnable(dto.code, caller);
  }
}
