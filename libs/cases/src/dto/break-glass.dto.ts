import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { BREAK_GLASS_REASON_MIN } from '@hub/contracts';

export class OpenBreakGlassDto {
  @ApiProperty({ description: 'Why the record must be opened now (audited, shown to the health manager)', minLength: BREAK_GLASS_REASON_MIN })
  @IsString({ message: 'reason must be text' })
  @MinLength(BREAK_GLASS_REASON_MIN, { message: `reason must state why, in at least ${BREAK_GLASS_REASON_MIN} characters` })
  @MaxLength(1000, { message: 'reason must be at most 1000 characters' })
  reason: string;
}

export class BreakGlassListQuery {
  @ApiPropertyOptional({ enum: ['pending', 'accepted', 'flagged', 'all'], description: 'Default: pending' })
  @IsOptional()
  @IsIn(['pending', 'accepted', 'flagged', 'all'], { message: 'state must be pending, accepted, flagged or all' })
  state?: 'pending' | 'accepted' | 'flagged' | 'all';
}

export class BreakGlassReviewDto {
  @ApiProperty({ enum: ['accepted', 'flagged'] })
  @IsIn(['accepted', 'flagged'], { message: 'decision must be accepted or flagged' })
  decision: 'accepted' | 'flagged';

  @ApiPropertyOptional({ description: 'Required to flag: what is wrong with the access' })
  @IsOptional()
  @IsString({ message: 'note must be text' })
  @MaxLength(2000, { message: 'note must be at most 2000 characters' })
  note?: string;
}
