import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { Caller, CallerContext, notificationScopeOf, Policy } from '@hub/access';
import type { NotificationView } from '@hub/contracts';
import { NotificationsService } from './notifications.service';

class ListNotificationsQuery {
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}

class MarkReadDto {
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true, message: 'ids must contain notification ids (UUIDs)' })
  ids: string[];
}

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  /** The caller's own notifications (no one else's can be asked for). */
  @Get()
  @Policy.authenticated()
  list(@Caller() caller: CallerContext, @Query() q: ListNotificationsQuery): Promise<NotificationView[]> {
    return this.notifications.list(notificationScopeOf(caller.principal), q.unread ?? false);
  }

  @Post('read')
  @HttpCode(204)
  @Policy.authenticated()
  async markRead(@Caller() caller: CallerContext, @Body() dto: MarkReadDto): Promise<void> {
    await this.notifications.markRead(notificationScopeOf(caller.principal), dto.ids);
  }
}
