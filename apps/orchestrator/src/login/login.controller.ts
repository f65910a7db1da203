import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ApiCallsServices, ApiProblems } from '../openapi/problems.js';
import type { VerifyOtpReply } from '@bank/contracts';
import { AccessTokenResponse, OtpChallengeResponse, RequestOtpDto, VerifyOtpDto } from './login.dto.js';
import { LoginService } from './login.service.js';

@ApiTags('auth')
@Controller('auth/otp')
export class LoginController {
  constructor(private readonly login: LoginService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'startOtpLogin',
    summary: 'Send a 6-digit login code by SMS (an unknown phone registers on first verification)',
    description:
      'No authentication. **Orchestration** (OTP login, step 1 and 2): the orchestrator asks auth for a challenge ' +
      '(`start-otp-challenge`), then notifications to send the sealed code (`send-otp`), and answers when both did. ' +
      'Publishes no event: the events follow the verification.',
  })
  @ApiAcceptedResponse({ type: OtpChallengeResponse, description: 'the code is on its way; verify it before expiresAt' })
  @ApiProblems('OTP_RATE_LIMITED')
  @ApiCallsServices()
  @ApiTooManyRequestsResponse({ description: 'OTP_RATE_LIMITED (per phone, per source address, SMS budget), with Retry-After' })
  // The address as TRUST_PROXY lets Fastify read it: the socket's peer unless a trusted proxy forwarded the request.
  request(@Body() body: RequestOtpDto, @Ip() source: string): Promise<OtpChallengeResponse> {
    return this.login.requestCode(body.phone, source);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'verifyOtp',
    summary: 'Exchange the code for an access token',
    description:
      'No authentication. **Orchestration** (OTP login, step 3): the orchestrator asks auth to verify the code (`verify-otp`) ' +
      'and answers with the token auth signed. **Choreography** that follows: `auth.otp_verified`, `customer.registered` on the ' +
      'first verification of a phone, or `auth.otp_locked` when the challenge dies after too many wrong codes (to audit, ' +
      'analytics and notifications; see GET /docs/asyncapi.yaml).',
  })
  @ApiOkResponse({ type: AccessTokenResponse, description: 'the code was right: a Bearer token for the customer' })
  @ApiProblems('OTP_INVALID', 'OTP_EXPIRED', 'CHALLENGE_NOT_FOUND', 'OTP_LOCKED', 'OTP_RATE_LIMITED')
  @ApiCallsServices()
  @ApiTooManyRequestsResponse({
    description: 'OTP_LOCKED (this challenge), or OTP_RATE_LIMITED (too many wrong codes for the phone) with Retry-After',
  })
  verify(@Body() body: VerifyOtpDto): Promise<VerifyOtpReply> {
    return this.login.verify(body.challengeId, body.code);
  }
}
