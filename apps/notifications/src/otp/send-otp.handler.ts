import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { KeyObject } from 'node:crypto';
import { KeyFiles, openOtpCode, readPrivateKeyFile } from '@bank/common';
import { DomainError, SendOtpCommand, type SendOtpReply } from '@bank/contracts';
import { NotificationsConfig } from '../config/notifications.config.js';
import { MessageStore } from '../messages/message.store.js';
import { otpDedupeKey, otpMessageBody } from './otp-sms.template.js';

/**
 * "Sends" the login code by SMS: records it as a message. Idempotent by challenge and send. The code
 * arrives sealed by auth to otp-seal.key, which only this service holds (read once at boot).
 */
@CommandHandler(SendOtpCommand)
export class SendOtpHandler implements ICommandHandler<SendOtpCommand, SendOtpReply> {
  private readonly logger = new Logger(SendOtpHandler.name);
  private readonly sealKey: KeyObject;

  constructor(
    private readonly messages: MessageStore,
    private readonly config: NotificationsConfig,
  ) {
    this.sealKey = readPrivateKeyFile(config.CERTS_DIR, KeyFiles.OtpSealPrivate, 'x25519');
  }

  async execute({ challengeId, recipient, sealedCode, expiresAt, send }: SendOtpCommand): Promise<SendOtpReply> {
    const code = this.open(challengeId, send, sealedCode);
    const message = await this.messages.record({
      recipient,
      channel: 'sms',
      body: otpMessageBody(code, new Date(expiresAt), new Date(), this.config.NOTIFICATIONS_DEV_OUTBOX),
      dedupeKey: otpDedupeKey(challengeId, send),
    });
    this.logger.log({ msg: message.created ? 'otp sms sent' : 'otp sms already sent', messageId: message.id, challengeId });
    return { messageId: message.id };
  }

  private open(challengeId: string, send: number, sealedCode: string): string {
    try {
      return openOtpCode(this.sealKey, { challengeId, send }, sealedCode);
    } catch {
      // Sealed to another key (a rotated or foreign otp-seal.pub), for another challenge or send, or changed.
      this.logger.warn({ msg: 'sealed otp code refused', errorCode: 'OTP_SEAL_INVALID', challengeId, send });
      throw new DomainError('OTP_SEAL_INVALID', 'The sealed code does not open for this challenge and send');
    }
  }
}
