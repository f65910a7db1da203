import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { NotificationsPatterns, SendOtpCommand, type SendOtpReply } from '@bank/contracts';

/** The TCP surface for OTP delivery. */
@Controller()
export class OtpController {
  constructor(private readonly commands: CommandBus) {}

  @MessagePattern(NotificationsPatterns.SendOtp)
  send(@Payload() command: SendOtpCommand): Promise<SendOtpReply> {
    return this.commands.execute(command);
  }
}
