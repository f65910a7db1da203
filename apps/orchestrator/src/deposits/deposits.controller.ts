import { Body, Controller, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UuidParam } from '@bank/common';
import { isErrorCode, RefusalError } from '@bank/contracts';
import { AccessTokenGuard, CustomerId } from '../auth/access-token.guard.js';
import { DepositDto, DepositResponse } from '../accounts/accounts.dto.js';
import { IdempotencyKey } from '../common/idempotency-key.js';
import type { DepositRow } from './deposit.row.js';
import { toDepositView, type DepositView } from './deposit.row.js';
import { MakeDepositCommand } from './make-deposit.command.js';

@ApiTags('accounts')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@Controller('accounts/:id/deposits')
export class DepositsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({ type: DepositResponse, description: 'money entering from outside, booked against the settlement account' })
  @ApiAcceptedResponse({ type: DepositResponse, description: 'PENDING: still running, finishes on its own' })
  @ApiUnprocessableEntityResponse({
    description: 'BALANCE_LIMIT_EXCEEDED (the balance would pass the cap), IDEMPOTENCY_KEY_REUSED; a refused deposit is FAILED: the body carries depositId and deposit (status FAILED, failureCode)',
  })
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
