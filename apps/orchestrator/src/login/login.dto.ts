import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, Matches } from 'class-validator';
import { E164_PATTERN, OTP_CODE_PATTERN } from '@bank/contracts';

export class RequestOtpDto {
  @ApiProperty({ example: '+4915112345678', description: 'E.164 phone number' })
  @IsString()
  @Matches(E164_PATTERN, { message: 'phone must be in E.164 format' })
  phone!: string;
}

export class VerifyOtpDto {
  @ApiProperty({ format: 'uuid', example: '3e5a7c9b-1d3f-4b2a-9c4e-6f8a0b2d4c6e' })
  @IsUUID()
  challengeId!: string;

  @ApiProperty({ example: '123456', description: 'the 6-digit code' })
  @IsString()
  @Matches(OTP_CODE_PATTERN, { message: 'code must be 6 digits' })
  code!: string;
}

export class OtpChallengeResponse {
  @ApiProperty({ format: 'uuid', example: '3e5a7c9b-1d3f-4b2a-9c4e-6f8a0b2d4c6e' }) challengeId!: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T12:05:00.000Z' }) expiresAt!: string;
}

export class AccessTokenResponse {
  @ApiProperty({ example: 'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiI2ZjFkIn0.c2lnbmF0dXJl' }) accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'seconds', example: 900 }) expiresIn!: number;
  @ApiProperty({ format: 'uuid', example: '6f1d3c2a-5b4e-4f7a-9c8d-1e2f3a4b5c6d' }) customerId!: string;
}
