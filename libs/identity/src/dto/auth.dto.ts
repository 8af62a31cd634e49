import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { Locale, LOCALES } from '@hub/contracts';

export class LoginDto {
  @ApiProperty({ example: 'officer@minusca.demo' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: 'password must not be empty' })
  @MaxLength(512)
  password: string;

  @ApiPropertyOptional({ description: 'Six-digit authenticator code when MFA is enabled' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'totp must be a six-digit code' })
  totp?: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: 'refreshToken must not be empty' })
  @MaxLength(200)
  refreshToken: string;
}

export class MfaEnableDto {
  @ApiProperty({ example: '123456' })
  @Matches(/^\d{6}$/, { message: 'code must be a six-digit code' })
  code: string;
}

export class UpdateMeDto {
  @ApiProperty({ enum: LOCALES, nullable: true, description: "Interface language; null follows the browser's" })
  @ValidateIf((_o, v) => v !== null)
  @IsIn(LOCALES, { message: `locale must be one of ${LOCALES.join(', ')} or null` })
  locale: Locale | null;
}
