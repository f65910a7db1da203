import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { VerifyOtpReply } from '@bank/contracts';
import { AccessTokenResponse, OtpChallengeResponse, RequestOtpDto, VerifyOtpDto } from './login.dto.js';
import { LoginService } from './login.service.js';

@ApiTags('auth')
@Controller('auth/otp')
export class LoginController {
  constructor(private readonly login: LoginService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a 6-digit login code by SMS (an unknown phone registers on first verification)' })
  @ApiAcceptedResponse({ type: OtpChallengeResponse })
  @ApiTooManyRequestsResponse({ description: 'OTP_RATE_LIMITED (per phone, per source address, SMS budget), with Retry-After' })
  // The address as TRUST_PROXY lets Fastify read it: the socket's peer unless a trusted proxy forwarded the request.
  request(@Body() body: RequestOtpDto, @Ip() source: string): Promise<OtpChallengeResponse> {
    return this.login.requestCode(body.phone, source);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange the code for an access token' })
  @ApiOkResponse({ type: AccessTokenResponse })
  @ApiTooManyRequestsResponse({
    description: 'OTP_LOCKED (this challenge), or OTP_RATE_LIMITED (too many wrong codes for the phone) with Retry-After',
  })
  verify(@Body() body: VerifyOtpDto): Promise<VerifyOtpReply> {
    return this.login.verify(body.challengeId, body.code);
  }
}
