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
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  challengeId!: string;

  @ApiProperty({ example: '123456', description: 'the 6-digit code' })
  @IsString()
  @Matches(OTP_CODE_PATTERN, { message: 'code must be 6 digits' })
  code!: string;
}

export class OtpChallengeResponse {
  @ApiProperty({ format: 'uuid' }) challengeId!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class AccessTokenResponse {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'seconds' }) expiresIn!: number;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
}
