import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import { MembershipView, UserView } from '@hub/contracts';
import { CreateMembershipDto, CreateUserDto, ListQueryDto, UpdateMembershipDto, UpdateUserDto } from './dto/admin.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('users')
  @Policy.can(Action.Read, 'User')
  list(@Caller() caller: CallerContext, @Query() query: ListQueryDto): Promise<UserView[]> {
    return this.users.list(caller, query);
  }

  @Get('users/:id')
  @Policy.can(Action.Read, 'User')
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<UserView> {
    return this.users.get(caller, id);
  }

  @Post('users')
  @Policy.can(Action.Create, 'User')
  create(@Caller() caller: CallerContext, @Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(caller, dto);
  }

  @Patch('users/:id')
  @Policy.can(Action.Update, 'User')
  update(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: UpdateUserDto): Promise<UserView> {
    return this.users.update(caller, id, dto);
  }

  @Post('users/:id/memberships')
  @Policy.can(Action.Create, 'Membership')
  addMembership(
    @Caller() caller: CallerContext,
    @Param() { id }: IdParam,
    @Body() dto: CreateMembershipDto,
  ): Promise<MembershipView> {
    return this.users.addMembership(caller, id, dto);
  }

  /** A rotation's dates: the membership's rights end by themselves at endsAt. */
  @Patch('memberships/:id')
  @Policy.can(Action.Update, 'Membership')
  updateMembership(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: UpdateMembershipDto): Promise<MembershipView> {
    return this.users.updateMembership(caller, id, dto);
  }

  @Delete('memberships/:id')
  @HttpCode(204)
  @Policy.can(Action.Delete, 'Membership')
  async removeMembership(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<void> {
    await this.users.removeMembership(caller, id);
  }
}
