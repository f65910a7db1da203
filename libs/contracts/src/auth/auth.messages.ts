import { IsIP, IsString, IsUUID, Matches } from 'class-validator';
import { RpcCommand } from '../common.js';

export const E164_PATTERN = /^\+[1-9]\d{7,14}$/;
export const OTP_CODE_PATTERN = /^\d{6}$/;
/** An opaque sealed value (base64url, no padding), bounded so a payload cannot be made huge. */
export const SEALED_VALUE_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;

/**
 * Creates an OTP challenge of its own for the phone (a resend is a new challenge). The reply
 * carries the code sealed to notifications' key (otp-seal.pub), bound to the challenge id and the
 * send number: the orchestrator hands it on without being able to read it. Refusals:
 * OTP_RATE_LIMITED, with `details.retryAfterSeconds`.
 */
export class StartOtpChallengeCommand extends RpcCommand {
  @IsString() @Matches(E164_PATTERN, { message: 'phone must be in E.164 format' }) phone!: string;
  /** The client's address as the edge sees it (see the orchestrator's TRUST_PROXY): the per-source limit counts by it. */
  @IsIP() source!: string;
}
export interface StartOtpChallengeReply {
  challengeId: string;
  expiresAt: string;
  /** The code, readable only by notifications (see sealOtpCode in @bank/common). */
  sealedCode: string;
  /** Which code of the challenge this is: always 1 now that every start is a challenge of its own; notifications dedupes by (challenge, send). */
  send: number;
}

/** Refusals: CHALLENGE_NOT_FOUND, OTP_INVALID, OTP_EXPIRED, OTP_LOCKED, OTP_RATE_LIMITED (with `details.retryAfterSeconds`). */
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
