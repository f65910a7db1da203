import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UuidParam } from '@bank/common';
import { DomainError } from '@bank/contracts';
import { AccessTokenGuard, CustomerId } from '../auth/access-token.guard.js';
import { IdempotencyKey } from '../common/idempotency-key.js';
import { StartTransferCommand } from './start-transfer.command.js';
import type { StartedTransfer } from './start-transfer.handler.js';
import { transferAnswer } from './transfer-answer.js';
import { TransferRepository } from './transfer.repository.js';
import { TransferTimelineService, type TransferTimeline } from './transfer-timeline.service.js';
import { toTransferView, type TransferView } from './transfer.row.js';
import { CreateTransferDto, TransferResponse, TransferWithTimelineResponse } from './transfers.dto.js';

@ApiTags('transfers')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@Controller('transfers')
export class TransfersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly transfers: TransferRepository,
    private readonly timeline: TransferTimelineService,
  ) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({ type: TransferResponse, description: 'COMPLETED within the request' })
  @ApiAcceptedResponse({ type: TransferResponse, description: 'PENDING: still running, finishes on its own (see Location)' })
  @ApiOkResponse({ type: TransferResponse, description: 'a replayed key of a transfer that failed for a technical reason: its current state (FAILED, failureCode)' })
  @ApiUnprocessableEntityResponse({
    description: 'INSUFFICIENT_FUNDS, CURRENCY_MISMATCH, ACCOUNT_NOT_FOUND (destination), BALANCE_LIMIT_EXCEEDED (destination full), IDEMPOTENCY_KEY_REUSED; body carries transferId',
  })
  @ApiServiceUnavailableResponse({ description: 'failed for a technical reason and compensated (nothing moved): try again; a replay of the key answers the current state' })
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
  @ApiOkResponse({ type: TransferWithTimelineResponse })
  async get(@CustomerId() customerId: string, @Param('id', UuidParam()) id: string): Promise<TransferView & { timeline: TransferTimeline }> {
    const row = await this.transfers.findById(id);
    // Visible to the owners of either account; to anyone else it does not exist.
    if (!row || (row.customer_id !== customerId && row.to_customer_id !== customerId)) {
      throw new DomainError('TRANSFER_NOT_FOUND', `Transfer ${id} not found`);
    }
    return { ...toTransferView(row), timeline: await this.timeline.build(row) };
  }
}
