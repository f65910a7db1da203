import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { randomUUID } from 'node:crypto';
import { createEnvelope, EventTypes, OpenAccountCommand, type OpenAccountReply } from '@bank/contracts';
import { RequestContext } from '@bank/common';
import { outboxChannel, outboxInsert } from '@bank/messaging';
import { ACCOUNT_COLUMNS, toAccountView, type AccountRow } from './account.row.js';

@CommandHandler(OpenAccountCommand)
export class OpenAccountHandler implements ICommandHandler<OpenAccountCommand, OpenAccountReply> {
  constructor(private readonly db: Sql) {}

  async execute({ customerId, currency }: OpenAccountCommand): Promise<OpenAccountReply> {
    const id = randomUUID();
    const event = createEnvelope(EventTypes.AccountOpened, { accountId: id, customerId, currency }, { correlationId: RequestContext.correlationId() ?? id });
    const outbox = outboxInsert('accounts', [event], 4);
    // One statement: the account and its event commit together or not at all.
    const rows = await this.db.rows<AccountRow>(
      `WITH account AS (
         INSERT INTO accounts.accounts (id, customer_id, currency) VALUES ($1, $2, $3) RETURNING ${ACCOUNT_COLUMNS}
       ), event AS (${outbox.sql})
       SELECT account.*, pg_notify('${outboxChannel('accounts')}', '') FROM account`,
      [id, customerId, currency, ...outbox.params],
    );
    return toAccountView(rows[0]);
  }
}
