import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  AccountsPatterns,
  LedgerPatterns,
  type AccountView,
  type ListAccountsReply,
  type OpenAccountReply,
  type StatementReply,
} from '@bank/contracts';
import { RpcClient, UuidParam } from '@bank/common';
import { AccessTokenGuard, CustomerId } from '../auth/access-token.guard.js';
import { ACCOUNTS_RPC, LEDGER_RPC } from '../saga/saga.settings.js';
import { AccountDirectory } from './account-directory.js';
import { AccountResponse, OpenAccountDto, StatementQueryDto, StatementResponse } from './accounts.dto.js';

@ApiTags('accounts')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@Controller('accounts')
export class AccountsController {
  constructor(
    @Inject(ACCOUNTS_RPC) private readonly accounts: RpcClient,
    @Inject(LEDGER_RPC) private readonly ledger: RpcClient,
    private readonly directory: AccountDirectory,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: AccountResponse })
  async open(@CustomerId() customerId: string, @Body() body: OpenAccountDto): Promise<AccountView> {
    const account = await this.accounts.send<OpenAccountReply>(AccountsPatterns.OpenAccount, { customerId, currency: body.currency }, { retries: 0 });
    this.directory.remember(account);
    return account;
  }

  @Get()
  @ApiOkResponse({ type: [AccountResponse] })
  list(@CustomerId() customerId: string): Promise<ListAccountsReply> {
    return this.accounts.send<ListAccountsReply>(AccountsPatterns.ListAccounts, { customerId });
  }

  @Get(':id')
  @ApiOkResponse({ type: AccountResponse })
  get(@CustomerId() customerId: string, @Param('id', UuidParam()) id: string): Promise<AccountView> {
    return this.directory.fetch(id, customerId);
  }

  @Get(':id/statement')
  @ApiOkResponse({ type: StatementResponse })
  async statement(@CustomerId() customerId: string, @Param('id', UuidParam()) id: string, @Query() query: StatementQueryDto): Promise<StatementReply> {
    const account = await this.directory.fetch(id, customerId);
    const statement = await this.ledger.send<StatementReply>(LedgerPatterns.GetStatement, {
      accountId: id,
      limit: query.limit ?? 100,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    // The account's own currency and balance: the contract's "balance equals the account's balance".
    return { ...statement, accountId: id, currency: account.currency, balance: account.balance };
  }
}
