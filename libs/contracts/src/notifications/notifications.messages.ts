import { IsInt, IsISO8601, IsString, IsUUID, Matches, Min } from 'class-validator';
import { RpcCommand } from '../common.js';
import { E164_PATTERN, SEALED_VALUE_PATTERN } from '../auth/auth.messages.js';

/**
 * Sends the login code by SMS. Idempotent by challengeId + send (a resend is the next send, with a new
 * code). `sealedCode` is auth's sealed code, passed on unchanged; one that does not open with
 * notifications' key for this challenge and send is refused with OTP_SEAL_INVALID.
 */
export class SendOtpCommand extends RpcCommand {
  @IsUUID() challengeId!: string;
  @IsString() @Matches(E164_PATTERN) recipient!: string;
  @IsString() @Matches(SEALED_VALUE_PATTERN) sealedCode!: string;
  @IsISO8601() expiresAt!: string;
  @IsInt() @Min(1) send!: number;
}
export interface SendOtpReply {
  messageId: string;
}

/** A message as the dev outbox shows it. */
export interface OutboxMessageView {
  id: string;
  recipient: string;
  channel: 'sms';
  body: string;
  sentAt: string;
}
