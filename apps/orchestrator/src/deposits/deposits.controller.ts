import { Body, Controller, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UuidParam } from '@bank/common';
import { isErrorCode, RefusalError } from '@bank/contracts';
import { AccessTokenGuard, CustomerId } from '../auth/access-token.guard.js';
import { DepositDto, DepositResponse } from '../accounts/accounts.dto.js';
import { IdempotencyKey } from '../common/idempotency-key.js';
import { ApiCallsServices, ApiProblems, ApiRefusals } from '../openapi/problems.js';
import type { DepositRow } from './deposit.row.js';
import { toDepositView, type DepositView } from './deposit.row.js';
import { MakeDepositCommand } from './make-deposit.command.js';

@ApiTags('accounts')
@ApiBearerAuth('bearer')
@UseGuards(AccessTokenGuard)
@Controller('accounts/:id/deposits')
export class DepositsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiOperation({
    operationId: 'makeDeposit',
    summary: 'Deposit money from outside into an account of the caller',
    description:
      '**Orchestration** (the deposit saga): book it in the ledger against the settlement account (`post-deposit`), then credit ' +
      'the account (`credit-deposit`); idempotent by Idempotency-Key. **Choreography** that follows: `deposit.completed` ' +
      '(from the orchestrator outbox; to audit and analytics).',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: '1-255 printable ASCII characters; same key and body: the first answer again',
    schema: { type: 'string', maxLength: 255, example: '5f0c7a52-deposit-1' },
  })
  @ApiCreatedResponse({ type: DepositResponse, description: 'money entering from outside, booked against the settlement account' })
  @ApiAcceptedResponse({ type: DepositResponse, description: 'PENDING: still running, finishes on its own' })
  @ApiUnprocessableEntityResponse({
    description:
      'refused (the balance would pass the cap), or the key was used for another request; a refused deposit is FAILED: the body carries depositId and deposit (status FAILED, failureCode)',
  })
  @ApiProblems('ACCOUNT_NOT_FOUND')
  @ApiRefusals(['BALANCE_LIMIT_EXCEEDED'])
  @ApiCallsServices()
  async deposit(
    @CustomerId() customerId: string,
    @Param('id', UuidParam()) accountId: string,
    @IdempotencyKey() key: string,
    @Body() body: DepositDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DepositView> {
    const row = await this.commands.execute<MakeDepositCommand, DepositRow>(
      new MakeDepositCommand(customerId, accountId, body.amount, key, request.correlationId),
    );
    const view = toDepositView(row);
    if (row.status === 'FAILED') {
      const code = row.failure_code && isErrorCode(row.failure_code) ? row.failure_code : 'INTERNAL';
      throw new RefusalError(code, `Deposit refused (${code})`, { depositId: row.id, deposit: view });
    }
    void reply.status(row.status === 'COMPLETED' ? 201 : 202);
    return view;
  }
}
