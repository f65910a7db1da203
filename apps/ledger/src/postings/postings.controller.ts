import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LedgerPatterns, PostDepositCommand, PostTransferCommand, ReverseTransferCommand, type PostingReply } from '@bank/contracts';

/** The ledger's booking commands over TCP; each pattern goes to its command handler. */
@Controller()
export class PostingsController {
  constructor(private readonly commands: CommandBus) {}

  @MessagePattern(LedgerPatterns.PostTransfer)
  postTransfer(@Payload() command: PostTransferCommand): Promise<PostingReply> {
    return this.commands.execute(command);
  }

  @MessagePattern(LedgerPatterns.ReverseTransfer)
  reverseTransfer(@Payload() command: ReverseTransferCommand): Promise<PostingReply> {
    return this.commands.execute(command);
  }

  @MessagePattern(LedgerPatterns.PostDeposit)
  postDeposit(@Payload() command: PostDepositCommand): Promise<PostingReply> {
    return this.commands.execute(command);
  }
}
