import { Injectable } from '@nestjs/common';

/** The time, injectable so that deadline logic can be tested by moving the clock instead of waiting. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
