import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { randomUUID } from 'node:crypto';
import { createEnvelope, DomainError, EventTypes, OpenAccountCommand, type OpenAccountReply } from '@bank/contracts';
import { RequestContext } from '@bank/common';
import { outboxChannel, outboxEventsCte, outboxEventsParam } from '@bank/messaging';
import { ACCOUNT_LIMITS, type AccountLimits } from './account-limits.js';
import { ACCOUNT_COLUMNS, toAccountView, type AccountRow } from './account.row.js';

@CommandHandler(OpenAccountCommand)
export class OpenAccountHandler implements ICommandHandler<OpenAccountCommand, OpenAccountReply> {
  constructor(
    private readonly db: Sql,
    @Inject(ACCOUNT_LIMITS) private readonly limits: AccountLimits,
  ) {}

  async execute({ customerId, currency }: OpenAccountCommand): Promise<OpenAccountReply> {
    const id = randomUUID();
    const event = createEnvelope(EventTypes.AccountOpened, { accountId: id, customerId, currency }, { correlationId: RequestContext.correlationId() ?? id });
    // One statement: the customer's count (only below the limit), the account and its event commit
    // together or not at all. The count's row lock makes a customer's concurrent openings take turns.
    const rows = await this.db.rows<AccountRow>(
      `WITH slot AS (
         INSERT INTO accounts.customer_accounts AS c (customer_id, opened) VALUES ($2, 1)
         ON CONFLICT (customer_id) DO UPDATE SET opened = c.opened + 1 WHERE c.opened < $4
         RETURNING customer_id
       ), account AS (
         INSERT INTO accounts.accounts (id, customer_id, currency) SELECT $1, customer_id, $3 FROM slot RETURNING ${ACCOUNT_COLUMNS}
       ), event AS (${outboxEventsCte('accounts', '$5', 'account')})
       SELECT account.*, pg_notify('${outboxChannel('accounts')}', '') FROM account`,
      [id, customerId, currency, this.limits.maxPerCustomer, outboxEventsParam([event])],
    );
    if (!rows[0]) {
      throw new DomainError('ACCOUNT_LIMIT_REACHED', `A customer may open at most ${this.limits.maxPerCustomer} accounts`, {
        limit: this.limits.maxPerCustomer,
      });
    }
    return toAccountView(rows[0]);
  }
}
