import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy, RequestInfo } from '@hub/access';
import { IdParam } from '@hub/common';
import type { RequestContext } from '@hub/access';
import { EnrolResponse, FieldNodeView, RegisteredFieldNode } from '@hub/contracts';
import { EnrolDto, RegisterNodeDto } from './dto/sync.dto';
import { FieldNodesService } from './field-nodes.service';

/** Registration and revocation of field nodes by mission administrators; enrolment by the node itself. */
@ApiTags('sync')
@Controller('sync')
export class FieldNodesController {
  constructor(private readonly nodes: FieldNodesService) {}

  @Post('nodes')
  @Policy.can(Action.Update, 'FieldNode')
  register(@Caller() caller: CallerContext, @Body() dto: RegisterNodeDto): Promise<RegisteredFieldNode> {
    return this.nodes.register(caller, dto);
  }

  @Get('nodes')
  @Policy.can(Action.Update, 'FieldNode')
  list(@Caller() caller: CallerContext): Promise<FieldNodeView[]> {
    return this.nodes.list(caller);
  }

  @Post('nodes/:id/revoke')
  @HttpCode(200)
  @Policy.can(Action.Update, 'FieldNode')
  revoke(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<FieldNodeView> {
    return this.nodes.revoke(caller, id);
  }

  /** The one-time enrolment code is the credential here. */
  @Post('enrol')
  @HttpCode(200)
  @Policy.public()
  enrol(@Body() dto: EnrolDto, @RequestInfo() request: RequestContext): Promise<EnrolResponse> {
    return this.nodes.enrol(dto, request);
  }
}
