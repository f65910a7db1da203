import { Injectable } from '@nestjs/common';
import { DomainError } from '@bank/contracts';
import { TransferRepository } from './transfer.repository.js';
import { TransferTimelineService } from './transfer-timeline.service.js';
import { toTransferView, type TransferRow } from './transfer.row.js';
import type { TransferTimeline, TransferView } from './transfer.view.js';

/** Reads of one transfer for a customer: GET /transfers/:id and the page's live view. */
@Injectable()
export class TransferReads {
  constructor(
    private readonly transfers: TransferRepository,
    private readonly timeline: TransferTimelineService,
  ) {}

  /** The transfer if `customerId` owns either of its accounts; to anyone else it does not exist (TRANSFER_NOT_FOUND). */
  async visible(id: string, customerId: string): Promise<TransferRow> {
    const row = await this.transfers.findById(id);
    if (!row || (row.customer_id !== customerId && row.to_customer_id !== customerId)) {
      throw new DomainError('TRANSFER_NOT_FOUND', `Transfer ${id} not found`);
    }
    return row;
  }

  /** Both halves: the saga row and the timeline the subscribers answer for. */
  async withTimeline(id: string, customerId: string): Promise<TransferView & { timeline: TransferTimeline }> {
    const row = await this.visible(id, customerId);
    return { ...toTransferView(row), timeline: await this.timeline.build(row) };
  }
}
