import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UuidParam } from '@bank/common';
import { DomainError, isErrorCode, RefusalError } from '@bank/contracts';
import { AccessTokenGuard, CustomerId } from '../auth/access-token.guard.js';
import { IdempotencyKey } from '../common/idempotency-key.js';
import { StartTransferCommand } from './start-transfer.command.js';
import { TransferRepository } from './transfer.repository.js';
import { TransferTimelineService, type TransferTimeline } from './transfer-timeline.service.js';
import { toTransferView, type TransferRow, type TransferView } from './transfer.row.js';
import { CreateTransferDto, TransferResponse, TransferWithTimelineResponse } from './transfers.dto.js';

const BUSINESS_REFUSALS = new Set<string>(['INSUFFICIENT_FUNDS', 'CURRENCY_MISMATCH', 'ACCOUNT_NOT_FOUND', 'VALIDATION_FAILED']);

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
  @ApiUnprocessableEntityResponse({ description: 'INSUFFICIENT_FUNDS, CURRENCY_MISMATCH, ACCOUNT_NOT_FOUND (destination), IDEMPOTENCY_KEY_REUSED; body carries transferId' })
  async create(
    @CustomerId() customerId: string,
    @IdempotencyKey() key: string,
    @Body() body: CreateTransferDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransferView> {
    const row = await this.commands.execute<StartTransferCommand, TransferRow>(new StartTransferCommand(customerId, body, key, request.correlationId));
    return this.respond(row, reply);
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

  /** The answer is a function of the saga's state, so a replayed key gets the first answer again. */
  private respond(row: TransferRow, reply: FastifyReply): TransferView {
    const view = toTransferView(row);
    switch (row.status) {
      case 'COMPLETED':
        void reply.status(201);
        return view;
      case 'FAILED': {
        const code = row.failure_code && isErrorCode(row.failure_code) ? row.failure_code : 'INTERNAL';
        if (BUSINESS_REFUSALS.has(code)) throw new RefusalError(code, undefined, { transferId: row.id });
        // Failed for a technical reason and compensated: nothing moved; the client may try again.
        throw new DomainError('SERVICE_UNAVAILABLE', `Transfer failed (${code}) and was compensated`, { transferId: row.id });
      }
      default:
        void reply.status(202).header('location', `/transfers/${row.id}`);
        return view;
    }
  }
}
