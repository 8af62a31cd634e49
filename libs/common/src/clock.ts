import { Global, Injectable, Module } from '@nestjs/common';

/** The time, injectable so that deadline logic can be tested by moving the clock instead of waiting. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** One clock for the whole application. */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
