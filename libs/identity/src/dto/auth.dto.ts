import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

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
