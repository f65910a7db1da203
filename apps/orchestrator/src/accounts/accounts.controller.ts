import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AccountView, ListAccountsReply, StatementReply } from '@bank/contracts';
import { UuidParam } from '@bank/common';
import { AccessTokenGuard, CustomerId } from '../auth/access-token.guard.js';
import { ApiCallsServices, ApiProblems } from '../openapi/problems.js';
import { AccountsService } from './accounts.service.js';
import { AccountResponse, AccountsQueryDto, OpenAccountDto, StatementQueryDto, StatementResponse } from './accounts.dto.js';

const DEFAULT_PAGE = 100;

@ApiTags('accounts')
@ApiBearerAuth('bearer')
@UseGuards(AccessTokenGuard)
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

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
  open(@CustomerId() customerId: string, @Body() body: OpenAccountDto): Promise<AccountView> {
    return this.accounts.open(customerId, body.currency);
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
    const { page, more } = await this.accounts.list(customerId, limit, query.cursor);
    if (more) void reply.header('link', `</accounts?limit=${limit}&cursor=${page[page.length - 1].id}>; rel="next"`);
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
    return this.accounts.get(id, customerId);
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
  statement(
    @CustomerId() customerId: string,
    @Param('id', UuidParam()) id: string,
    @Query() query: StatementQueryDto,
  ): Promise<StatementReply> {
    return this.accounts.statement(id, customerId, query.limit ?? 100, query.cursor);
  }
}
