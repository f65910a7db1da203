import { Inject, Injectable } from '@nestjs/common';
import { AuthPatterns, NotificationsPatterns, type SendOtpReply, type StartOtpChallengeReply, type VerifyOtpReply } from '@bank/contracts';
import { RpcClient } from '@bank/common';
import { AUTH_RPC, NOTIFICATIONS_RPC } from '../orchestrator.tokens.js';
import type { OtpChallengeResponse } from './login.dto.js';

/**
 * OTP login, orchestrated: each step needs the previous one's answer. auth generates the code (and
 * keeps only its hash), notifications sends it, auth verifies it and signs the token. The code passes
 * through here sealed to notifications' key: the orchestrator drives the steps but cannot read it.
 */
@Injectable()
export class LoginService {
  constructor(
    @Inject(AUTH_RPC) private readonly auth: RpcClient,
    @Inject(NOTIFICATIONS_RPC) private readonly notifications: RpcClient,
  ) {}

  async requestCode(phone: string, source: string): Promise<OtpChallengeResponse> {
    const challenge = await this.auth.send<StartOtpChallengeReply>(AuthPatterns.StartOtpChallenge, { phone, source });
    await this.notifications.send<SendOtpReply>(NotificationsPatterns.SendOtp, {
      challengeId: challenge.challengeId,
      recipient: phone,
      sealedCode: challenge.sealedCode,
      expiresAt: challenge.expiresAt,
      send: challenge.send,
    });
    return { challengeId: challenge.challengeId, expiresAt: challenge.expiresAt };
  }

  verify(challengeId: string, code: string): Promise<VerifyOtpReply> {
    // Not retried: a lost reply after a successful verify must not turn into "code already used".
    return this.auth.send<VerifyOtpReply>(AuthPatterns.VerifyOtp, { challengeId, code }, { retries: 0 });
  }
}
