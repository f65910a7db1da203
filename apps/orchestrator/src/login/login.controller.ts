import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  request(@Body() body: RequestOtpDto): Promise<OtpChallengeResponse> {
    return this.login.requestCode(body.phone);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange the code for an access token' })
  @ApiOkResponse({ type: AccessTokenResponse })
  verify(@Body() body: VerifyOtpDto): Promise<VerifyOtpReply> {
    return this.login.verify(body.challengeId, body.code);
  }
}
