import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import type { MentalHealthBookingView, MentalHealthSlotList, MentalHealthSlotView } from '@hub/contracts';
import { BookSessionDto, CancelBookingDto, PublishSlotsDto } from './dto/mental-health.dto';
import { MentalHealthService } from './mental-health.service';

/** Mental-health sessions (docs/consultations.md, "Mental-health sessions"). */
@ApiTags('mental-health')
@Controller('mental-health')
export class MentalHealthController {
  constructor(private readonly service: MentalHealthService) {}

  /** The clinician's own slots (booked or not). */
  @Get('slots')
  @Policy.can(Action.Consult, 'Case')
  mySlots(@Caller() caller: CallerContext): Promise<MentalHealthSlotList> {
    return this.service.mySlots(caller);
  }

  /** A psychologist or psychiatrist offers `count` consecutive slots. */
  @Post('slots')
  @Policy.can(Action.Consult, 'Case')
  publish(@Caller() caller: CallerContext, @Body() dto: PublishSlotsDto): Promise<MentalHealthSlotView[]> {
    return this.service.publishSlots(caller, dto);
  }

  /** Free slots an officer may book for patients of their clinics' missions, or staff for themselves (where allowed). */
  @Get('slots/open')
  @Policy.authenticated()
  open(@Caller() caller: CallerContext): Promise<MentalHealthSlotList> {
    return this.service.openSlots(caller);
  }

  @Get('bookings')
  @Policy.can(Action.Read, 'Case')
  bookings(@Caller() caller: CallerContext): Promise<MentalHealthBookingView[]> {
    return this.service.myBookings(caller);
  }

  /**
   * Books a slot for a patient (clinic staff), or `forSelf` (any member of staff where their mission allows it).
   * Send an Idempotency-Key; a slot already booked is 409.
   */
  @Post('bookings')
  @Policy.authenticated()
  book(@Caller() caller: CallerContext, @Body() dto: BookSessionDto): Promise<MentalHealthBookingView> {
    return this.service.book(caller, dto);
  }

  @Get('bookings/:id')
  @Policy.can(Action.Read, 'Case')
  booking(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<MentalHealthBookingView> {
    return this.service.bookingView(caller, id);
  }

  /**
   * Cancels a booked session (the officer who booked it, or the clinician): the slot is free again, the case
   * cancelled. Send an Idempotency-Key; a session that has started: 409.
   */
  @Post('bookings/:id/cancel')
  @HttpCode(200)
  @Policy.authenticated()
  cancel(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: CancelBookingDto): Promise<MentalHealthBookingView> {
    return this.service.cancel(caller, id, dto.note?.trim() || null);
  }

  /** The session as an iCalendar (.ics) file, in the reader's language (stored choice, else the browser's). */
  @Get('bookings/:id/calendar.ics')
  @Policy.can(Action.Read, 'Case')
  async calendar(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Headers('accept-language') acceptLanguage: string | undefined, @Res() res: Response): Promise<void> {
    const { filename, body } = await this.service.calendar(caller, id, acceptLanguage);
    res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(body);
  }
}
