import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SendOtpCommand, type SendOtpReply } from '@bank/contracts';
import { NotificationsConfig } from '../config/notifications.config.js';
import { MessageStore } from '../messages/message.store.js';
import { otpDedupeKey, otpMessageBody } from './otp-sms.template.js';

/** "Sends" the login code by SMS: records it as a message. Idempotent by challenge and send. */
@CommandHandler(SendOtpCommand)
export class SendOtpHandler implements ICommandHandler<SendOtpCommand, SendOtpReply> {
  private readonly logger = new Logger(SendOtpHandler.name);

  constructor(
    private readonly messages: MessageStore,
    private readonly config: NotificationsConfig,
  ) {}

  async execute({ challengeId, recipient, code, expiresAt, send }: SendOtpCommand): Promise<SendOtpReply> {
    const message = await this.messages.record({
      recipient,
      channel: 'sms',
      body: otpMessageBody(code, new Date(expiresAt), new Date(), this.config.NOTIFICATIONS_DEV_OUTBOX),
      dedupeKey: otpDedupeKey(challengeId, send),
    });
    this.logger.log({ msg: message.created ? 'otp sms sent' : 'otp sms already sent', messageId: message.id, challengeId });
    return { messageId: message.id };
  }
}
