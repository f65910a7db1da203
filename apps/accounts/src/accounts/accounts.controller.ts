import { Controller } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AccountsPatterns,
  CommitFundsCommand,
  CreditDepositCommand,
  GetAccountQuery,
  ListAccountsQuery,
  ListBalancesQuery,
  OpenAccountCommand,
  ReleaseFundsCommand,
  ReserveFundsCommand,
  type CommitFundsReply,
  type CreditDepositReply,
  type GetAccountReply,
  type ListAccountsReply,
  type ListBalancesReply,
  type OpenAccountReply,
  type ReleaseFundsReply,
  type ReserveFundsReply,
} from '@bank/contracts';

/** The TCP surface of the service: each pattern goes to its command or query handler. */
@Controller()
export class AccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @MessagePattern(AccountsPatterns.OpenAccount)
  open(@Payload() command: OpenAccountCommand): Promise<OpenAccountReply> {
    return this.commands.execute(command);
  }

  @MessagePattern(AccountsPatterns.GetAccount)
  get(@Payload() query: GetAccountQuery): Promise<GetAccountReply> {
    return this.queries.execute(query);
  }

  @MessagePattern(AccountsPatterns.ListAccounts)
  list(@Payload() query: ListAccountsQuery): Promise<ListAccountsReply> {
    return this.queries.execute(query);
  }

  @MessagePattern(AccountsPatterns.ListBalances)
  balances(@Payload() query: ListBalancesQuery): Promise<ListBalancesReply> {
    return this.queries.execute(query);
  }

  @MessagePattern(AccountsPatterns.ReserveFunds)
  reserve(@Payload() command: ReserveFundsCommand): Promise<ReserveFundsReply> {
    return this.commands.execute(command);
  }

  @MessagePattern(AccountsPatterns.CommitFunds)
  commit(@Payload() command: CommitFundsCommand): Promise<CommitFundsReply> {
    return this.commands.execute(command);
  }

  @MessagePattern(AccountsPatterns.ReleaseFunds)
  release(@Payload() command: ReleaseFundsCommand): Promise<ReleaseFundsReply> {
    return this.commands.execute(command);
  }

  @MessagePattern(AccountsPatterns.CreditDeposit)
  credit(@Payload() command: CreditDepositCommand): Promise<CreditDepositReply> {
    return this.commands.execute(command);
  }
}
