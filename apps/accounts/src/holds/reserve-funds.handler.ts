import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { pgConstraint, pgErrorCode, PgErrorCodes, Sql } from '@bank/database';
import { DomainError, MAX_BALANCE, ReserveFundsCommand, type ReserveFundsReply } from '@bank/contracts';

import type { HoldRow } from './hold.row.js';

/**
 * The first saga step: a hold on the source. One SQL statement (one round trip, one commit): the hold
 * row is inserted only when the owner, both accounts, the currencies and the available balance check
 * out and the destination has room for the amount below the balance cap, and the source's available
 * balance drops by the amount. A refusal is a condition of the statement (no row), not an error:
 * Postgres would log every failed statement with its SQL. The CHECK constraint stays the safety net
 * for a concurrent reserve that spends the balance after this statement's snapshot (the UPDATE sees
 * the newer row and the constraint refuses it atomically).
 */
@CommandHandler(ReserveFundsCommand)
export class ReserveFundsHandler implements ICommandHandler<ReserveFundsCommand, ReserveFundsReply> {
  constructor(private readonly db: Sql) {}

  async execute(command: ReserveFundsCommand): Promise<ReserveFundsReply> {
    const { transferId, customerId, fromAccountId, toAccountId, amount, currency } = command;
    if (fromAccountId.toLowerCase() === toAccountId.toLowerCase())
      throw new DomainError('VALIDATION_FAILED', 'Source and destination must differ');
    let rows: { to_customer_id: string }[];
    try {
      rows = await this.db.rows<{ to_customer_id: string }>(
        `WITH hold AS (
           INSERT INTO accounts.holds (transfer_id, account_id, to_account_id, amount, currency, status)
           SELECT $1, s.id, d.id, $5, $6, 'RESERVED'
             FROM accounts.accounts s, accounts.accounts d
            WHERE s.id = $2 AND d.id = $3 AND s.customer_id = $4 AND s.currency = $6 AND d.currency = $6
              AND s.available_balance >= $5 AND d.balance <= $7::bigint - $5::bigint
           ON CONFLICT (transfer_id) DO NOTHING
           RETURNING account_id, to_account_id, amount
         ), debit AS (
           UPDATE accounts.accounts a SET available_balance = a.available_balance - hold.amount
             FROM hold WHERE a.id = hold.account_id
           RETURNING hold.to_account_id
         )
         SELECT d.customer_id AS to_customer_id FROM debit JOIN accounts.accounts d ON d.id = debit.to_account_id`,
        [transferId, fromAccountId, toAccountId, customerId, amount, currency, MAX_BALANCE],
      );
    } catch (error) {
      if (pgErrorCode(error) === PgErrorCodes.CheckViolation && pgConstraint(error) === 'available_not_negative') {
        throw new DomainError('INSUFFICIENT_FUNDS', 'The source account does not have enough available funds');
      }
      throw error;
    }
    if (rows[0]) return { transferId, status: 'RESERVED', toCustomerId: rows[0].to_customer_id };
    return this.explainNoHold(command);
  }

  /** Nothing was inserted: a replay of this transfer, or a precondition failed. Read-only. */
  private async explainNoHold(command: ReserveFundsCommand): Promise<ReserveFundsReply> {
    const { transferId, customerId, fromAccountId, toAccountId, amount, currency } = command;
    const [hold] = await this.db.rows<HoldRow>(`SELECT * FROM accounts.holds WHERE transfer_id = $1`, [transferId]);
    const accounts = await this.db.rows<{ id: string; customer_id: string; currency: string; balance: string; available_balance: string }>(
      `SELECT id, customer_id, currency, balance, available_balance FROM accounts.accounts WHERE id = ANY($1::uuid[])`,
      [[fromAccountId, toAccountId]],
    );
    const source = accounts.find((a) => a.id === fromAccountId);
    const destination = accounts.find((a) => a.id === toAccountId);
    if (hold) {
      const same =
        hold.account_id === fromAccountId &&
        hold.to_account_id === toAccountId &&
        Number(hold.amount) === amount &&
        hold.currency === currency;
      if (hold.status === 'RELEASED') throw new DomainError('INVALID_STATE', `Transfer ${transferId} was already released`);
      if (!same) throw new DomainError('INVALID_STATE', `Transfer ${transferId} was reserved with other terms`);
      return { transferId, status: hold.status, toCustomerId: destination!.customer_id };
    }
    if (!source || source.customer_id !== customerId) {
      throw new DomainError('ACCOUNT_NOT_FOUND', `Account ${fromAccountId} not found`, { side: 'source' });
    }
    if (!destination) throw new DomainError('ACCOUNT_NOT_FOUND', `Destination account ${toAccountId} not found`, { side: 'destination' });
    if (source.currency !== currency || destination.currency !== currency) {
      throw new DomainError('CURRENCY_MISMATCH', `Transfer currency ${currency} does not match the accounts' currencies`);
    }
    if (Number(source.available_balance) < amount) {
      throw new DomainError('INSUFFICIENT_FUNDS', 'The source account does not have enough available funds');
    }
    if (Number(destination.balance) > MAX_BALANCE - amount) {
      throw new DomainError('BALANCE_LIMIT_EXCEEDED', `Destination account ${toAccountId} has no room for ${amount} below the balance cap`);
    }
    // The preconditions hold now: the insert lost a race with a concurrent identical command, or the
    // balance grew (a deposit, a release) after the statement's snapshot.
    throw new DomainError('SERVICE_UNAVAILABLE', 'Concurrent reserve for the same transfer; retry');
  }
}
