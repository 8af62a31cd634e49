import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Action, Caller, CallerContext, inScope, Policy, scopeFor } from '@hub/access';
import { AuditSealer, AuditService, ChainHead, ChainReport } from '@hub/audit';
import { DomainException } from '@hub/common';

class VerifyQuery {
  /** A mission id, or "global". Without it every chain the caller may read is verified. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  chain?: string;
}

interface AuditCheckpointView {
  writtenAt: string | null;
  /** HMAC-SHA256 with the audit key over the whole checkpoint (all chains). */
  signature: string | null;
  heads: ChainHead[];
  sealing: 'running' | 'halted';
  haltedReason: string | null;
  lastRoundAt: string | null;
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly sealer: AuditSealer,
  ) {}

  /**
   * The signed checkpoint of the chain heads this instance last wrote outside the database (the data directory),
   * for the chains of the caller's missions, and whether sealing runs: shown on the health manager's dashboard so
   * an outside record of the heads exists (compare it with `npm run audit:verify`).
   */
  @Get('checkpoint')
  @Policy.can(Action.Read, 'Caseload')
  checkpoint(@Caller() caller: CallerContext): AuditCheckpointView {
    const scope = scopeFor(caller.principal, Action.Read, 'Caseload');
    const status = this.sealer.status();
    const heads = (status.checkpoint?.heads ?? []).filter((h) => (h.chain === 'global' ? scope.kind === 'all' : inScope(scope, h.chain)));
    return {
      writtenAt: status.checkpoint?.writtenAt ?? null,
      signature: status.checkpoint?.signature ?? null,
      heads,
      sealing: status.halted ? 'halted' : 'running',
      haltedReason: status.halted,
      lastRoundAt: status.lastRoundAt,
    };
  }

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
