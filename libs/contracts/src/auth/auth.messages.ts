import { IsString, IsUUID, Matches } from 'class-validator';
import { RpcCommand } from '../common.js';

export const E164_PATTERN = /^\+[1-9]\d{7,14}$/;
export const OTP_CODE_PATTERN = /^\d{6}$/;

/**
 * Creates (or, for a resend, refreshes without resetting its tries) the phone's OTP challenge.
 * The reply carries the code so the orchestrator can hand it to notifications; it is never logged
 * or stored in clear. Refusals: OTP_RATE_LIMITED.
 */
export class StartOtpChallengeCommand extends RpcCommand {
  @IsString() @Matches(E164_PATTERN, { message: 'phone must be in E.164 format' }) phone!: string;
}
export interface StartOtpChallengeReply {
  challengeId: string;
  expiresAt: string;
  code: string;
  /** Which code of the challenge this is: 1 for the first, one more for each resend. */
  send: number;
}

/** Refusals: CHALLENGE_NOT_FOUND, OTP_INVALID, OTP_EXPIRED, OTP_LOCKED. */
export class VerifyOtpCommand extends RpcCommand {
  @IsUUID() challengeId!: string;
  @IsString() @Matches(OTP_CODE_PATTERN, { message: 'code must be 6 digits' }) code!: string;
}
export interface VerifyOtpReply {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  customerId: string;
}

export class GetSigningKeysQuery extends RpcCommand {}
/** Public keys only: the private key never leaves auth. */
export interface SigningKey {
  kid: string;
  alg: 'EdDSA';
  publicKeyPem: string;
}
export interface GetSigningKeysReply {
  issuer: string;
  audience: string;
  keys: SigningKey[];
}
