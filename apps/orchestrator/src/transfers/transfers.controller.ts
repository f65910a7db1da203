import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UuidParam } from '@bank/common';
import { REQUEST_REFUSAL_CODES } from '@bank/contracts';
import { AccessTokenGuard, CustomerId } from '../auth/access-token.guard.js';
import { IdempotencyKey } from '../common/idempotency-key.js';
import { ApiCallsServices, ApiProblems, ApiRefusals } from '../openapi/problems.js';
import { StartTransferCommand } from './start-transfer.command.js';
import type { StartedTransfer } from './start-transfer.handler.js';
import { transferAnswer } from './transfer-answer.js';
import { TransferReads } from './transfer-reads.service.js';
import type { TransferTimeline, TransferView } from './transfer.view.js';
import { CreateTransferDto, TransferResponse, TransferWithTimelineResponse } from './transfers.dto.js';

@ApiTags('transfers')
@ApiBearerAuth('bearer')
@UseGuards(AccessTokenGuard)
@Controller('transfers')
export class TransfersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: TransferReads,
  ) {}

  @Post()
  @ApiOperation({
    operationId: 'createTransfer',
    summary: 'Move money from an account of the caller to another account',
    description:
      '**Orchestration** (the transfer saga): reserve the funds at accounts (`reserve-funds`), book the double entry in the ledger ' +
      '(`post-transfer`), commit (`commit-funds`); on a refusal or an unanswered step it compensates (`reverse-transfer`, ' +
      '`release-funds`). Waits up to SAGA_SYNC_WAIT_MS, then answers 202 and finishes on its own. Idempotent by Idempotency-Key. ' +
      '**Choreography** that follows: `transfer.completed` or `transfer.failed` (from the orchestrator outbox; to audit, analytics ' +
      'and notifications, which texts the receiving customer). GET /transfers/{id} shows both halves.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: '1-255 printable ASCII characters; same key and body: the first answer again',
    schema: { type: 'string', maxLength: 255, example: '5f0c7a52-transfer-1' },
  })
  @ApiCreatedResponse({ type: TransferResponse, description: 'COMPLETED within the request' })
  @ApiAcceptedResponse({
    type: TransferResponse,
    description: 'PENDING: still running, finishes on its own (see Location)',
    headers: { Location: { description: 'where the transfer is: /transfers/{id}', schema: { type: 'string', format: 'uri-reference' } } },
  })
  @ApiOkResponse({
    type: TransferResponse,
    description: 'a replayed key of a transfer that failed for a technical reason: its current state (FAILED, failureCode)',
  })
  @ApiUnprocessableEntityResponse({
    description:
      'refused by the business (ACCOUNT_NOT_FOUND: the destination; BALANCE_LIMIT_EXCEEDED: the destination is full), or the key was used for another request; a refusal carries transferId',
  })
  @ApiServiceUnavailableResponse({
    description:
      'failed for a technical reason and compensated (nothing moved), or a dependency is down: try again; a replay of the key answers the current state',
  })
  @ApiProblems('ACCOUNT_NOT_FOUND')
  @ApiRefusals(REQUEST_REFUSAL_CODES)
  @ApiCallsServices()
  async create(
    @CustomerId() customerId: string,
    @IdempotencyKey() key: string,
    @Body() body: CreateTransferDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransferView> {
    const { row, replayed } = await this.commands.execute<StartTransferCommand, StartedTransfer>(
      new StartTransferCommand(customerId, body, key, request.correlationId),
    );
    const answer = transferAnswer(row, replayed);
    void reply.status(answer.httpStatus);
    if (answer.location) void reply.header('location', answer.location);
    return answer.view;
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getTransfer',
    summary: 'One transfer: its saga steps and the events that followed',
    description:
      'A read for the owner of either account: the saga row (the orchestrated half) and a timeline that asks audit, ' +
      'notifications and analytics when they recorded or handled its events (the choreographed half). Publishes no event.',
  })
  @ApiOkResponse({ type: TransferWithTimelineResponse, description: 'the transfer with its timeline' })
  @ApiProblems('TRANSFER_NOT_FOUND')
  get(@CustomerId() customerId: string, @Param('id', UuidParam()) id: string): Promise<TransferView & { timeline: TransferTimeline }> {
    return this.reads.withTimeline(id, customerId);
  }
}
