import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { OutboxMessageView } from '@bank/contracts';
import { MessageStore } from '../messages/message.store.js';
import { ListOutboxQuery } from './list-outbox.query.js';

/** Enough to find the latest codes; the outbox is a dev tool, not an archive. */
export const OUTBOX_LIMIT = 50;

@QueryHandler(ListOutboxQuery)
export class ListOutboxHandler implements IQueryHandler<ListOutboxQuery, OutboxMessageView[]> {
  constructor(private readonly messages: MessageStore) {}

  execute({ recipient }: ListOutboxQuery): Promise<OutboxMessageView[]> {
    return this.messages.recentFor(recipient, OUTBOX_LIMIT);
  }
}
