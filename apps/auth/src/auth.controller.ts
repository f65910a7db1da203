import { Controller } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AuthPatterns,
  GetSigningKeysQuery,
  StartOtpChallengeCommand,
  VerifyOtpCommand,
  type GetSigningKeysReply,
  type StartOtpChallengeReply,
  type VerifyOtpReply,
} from '@bank/contracts';

/** The TCP surface of the service: each pattern goes to its command or query handler. */
@Controller()
export class AuthController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @MessagePattern(AuthPatterns.StartOtpChallenge)
  start(@Payload() command: StartOtpChallengeCommand): Promise<StartOtpChallengeReply> {
    return this.commands.execute(command);
  }

  @MessagePattern(AuthPatterns.VerifyOtp)
  verify(@Payload() command: VerifyOtpCommand): Promise<VerifyOtpReply> {
    return this.commands.execute(command);
  }

  @MessagePattern(AuthPatterns.GetSigningKeys)
  keys(@Payload() query: GetSigningKeysQuery): Promise<GetSigningKeysReply> {
    return this.queries.execute(query);
  }
}
