import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
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
import { ACCOUNTS_RPC, LEDGER_RPC } from '../orchestrator.tokens.js';
import { ApiCallsServices, ApiProblems } from '../openapi/problems.js';
import { AccountDirectory } from './account-directory.js';
import { AccountResponse, AccountsQueryDto, OpenAccountDto, StatementQueryDto, StatementResponse } from './accounts.dto.js';

const DEFAULT_PAGE = 100;

@ApiTags('accounts')
@ApiBearerAuth('bearer')
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
  @ApiOperation({
    operationId: 'openAccount',
    summary: 'Open an account in a currency',
    description:
      '**Orchestration**: one command to accounts (`open-account`), answered when the account exists. **Choreography** that ' +
      'follows: `account.opened` (from the accounts outbox; to audit, analytics and notifications).',
  })
  @ApiCreatedResponse({ type: AccountResponse, description: 'the new account, balance 0' })
  @ApiUnprocessableEntityResponse({ description: 'the customer has as many accounts as one may open (ACCOUNTS_MAX_PER_CUSTOMER)' })
  @ApiProblems('ACCOUNT_LIMIT_REACHED')
  @ApiCallsServices()
  async open(@CustomerId() customerId: string, @Body() body: OpenAccountDto): Promise<AccountView> {
    const account = await this.accounts.send<OpenAccountReply>(
      AccountsPatterns.OpenAccount,
      { customerId, currency: body.currency },
      { retries: 0 },
    );
    this.directory.remember(account);
    return account;
  }

  /**
   * Still the contract's Account[], oldest first, now a page of it: when more follow, a
   * `Link: </accounts?limit=..&cursor=..>; rel="next"` header (RFC 8288) says where, so a client that
   * never asks for a page gets the whole list as before (up to 100, above the default per-customer limit).
   */
  @Get()
  @ApiOperation({
    operationId: 'listAccounts',
    summary: "The caller's accounts, oldest first, a page at a time",
    description: 'A read: one query to accounts (`list-accounts`). Publishes no event.',
  })
  @ApiOkResponse({
    type: [AccountResponse],
    description: 'a page, oldest first; the Link header (rel="next") points to the next one when there is one',
    headers: {
      Link: { description: 'RFC 8288: `</accounts?limit=..&cursor=..>; rel="next"` when more follow', schema: { type: 'string' } },
    },
  })
  @ApiCallsServices()
  async list(
    @CustomerId() customerId: string,
    @Query() query: AccountsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ListAccountsReply> {
    const limit = query.limit ?? DEFAULT_PAGE;
    // One more than the page: whether a next page exists without a second query.
    const accounts = await this.accounts.send<ListAccountsReply>(AccountsPatterns.ListAccounts, {
      customerId,
      limit: limit + 1,
      ...(query.cursor ? { afterAccountId: query.cursor } : {}),
    });
    const page = accounts.slice(0, limit);
    if (accounts.length > limit) void reply.header('link', `</accounts?limit=${limit}&cursor=${page[page.length - 1].id}>; rel="next"`);
    return page;
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getAccount',
    summary: 'One account of the caller, with its balances',
    description: "A read: one query to accounts (`get-account`). Someone else's account does not exist (404). Publishes no event.",
  })
  @ApiOkResponse({ type: AccountResponse, description: 'the account' })
  @ApiProblems('ACCOUNT_NOT_FOUND')
  @ApiCallsServices()
  get(@CustomerId() customerId: string, @Param('id', UuidParam()) id: string): Promise<AccountView> {
    return this.directory.fetch(id, customerId);
  }

  @Get(':id/statement')
  @ApiOperation({
    operationId: 'getStatement',
    summary: "An account's booked entries, newest first",
    description: 'A read: the account from accounts (`get-account`), its entries from the ledger (`get-statement`). Publishes no event.',
  })
  @ApiOkResponse({ type: StatementResponse, description: 'a page of the statement; nextCursor is null on the last page' })
  @ApiProblems('ACCOUNT_NOT_FOUND')
  @ApiCallsServices()
  async statement(
    @CustomerId() customerId: string,
    @Param('id', UuidParam()) id: string,
    @Query() query: StatementQueryDto,
  ): Promise<StatementReply> {
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
