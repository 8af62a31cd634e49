import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Action, Caller, CallerContext, inScope, Policy, scopeFor } from '@hub/access';
import { AuditService, ChainReport } from '@hub/audit';
import { DomainException } from '@hub/common';

class VerifyQuery {
  /** A mission id, or "global". Without it every chain the caller may read is verified. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  chain?: string;
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Recomputes the hash chains the caller may read and names the first broken record of each. */
  @Get('verify')
  @Policy.can(Action.Read, 'AuditEntry')
  async verify(@Caller() caller: CallerContext, @Query() query: VerifyQuery): Promise<ChainReport[]> {
    const scope = scopeFor(caller.principal, Action.Read, 'AuditEntry');
    const allowed = (chain: string) => (chain === 'global' ? scope.kind === 'all' : inScope(scope, chain));
    if (query.chain) {
      if (!allowed(query.chain)) throw DomainException.notFound('Audit chain');
      return this.audit.verify(query.chain);
    }
    // Only the chains the caller may read are recomputed.
    return scope.kind === 'all' ? this.audit.verify() : this.audit.verify([...scope.missionIds]);
  }
}
