import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { CreditDepositCommand, DomainError, MAX_BALANCE, type CreditDepositReply } from '@bank/contracts';
import { ACCOUNT_COLUMNS, toAccountView, type AccountRow } from '../accounts/account.row.js';

/**
 * Money entering from outside. The deposit row makes it idempotent: a replay credits nothing. It is
 * written only when the account has room for the amount below the balance cap (the CHECK constraint
 * stays as the safety net).
 */
@CommandHandler(CreditDepositCommand)
export class CreditDepositHandler implements ICommandHandler<CreditDepositCommand, CreditDepositReply> {
  constructor(private readonly db: Sql) {}

  async execute({ depositId, accountId, amount, currency }: CreditDepositCommand): Promise<CreditDepositReply> {
    const rows = await this.db.rows<AccountRow>(
      `WITH deposit AS (
         INSERT INTO accounts.deposits (deposit_id, account_id, amount)
         SELECT $1, id, $3 FROM accounts.accounts WHERE id = $2 AND currency = $4 AND balance <= $5::bigint - $3::bigint
         ON CONFLICT (deposit_id) DO NOTHING
         RETURNING account_id, amount
       )
       UPDATE accounts.accounts a
          SET balance = a.balance + deposit.amount, available_balance = a.available_balance + deposit.amount
         FROM deposit WHERE a.id = deposit.account_id
       RETURNING ${ACCOUNT_COLUMNS.split(', ')
         .map((c) => `a.${c}`)
         .join(', ')}`,
      [depositId, accountId, amount, currency, MAX_BALANCE],
    );
    if (rows[0]) return toAccountView(rows[0]);
    const [account] = await this.db.rows<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts.accounts WHERE id = $1`, [accountId]);
    if (!account) throw new DomainError('ACCOUNT_NOT_FOUND', `Account ${accountId} not found`);
    const [deposit] = await this.db.rows<{ account_id: string; amount: string }>(
      `SELECT account_id, amount FROM accounts.deposits WHERE deposit_id = $1`,
      [depositId],
    );
    if (deposit) {
      if (deposit.account_id !== accountId || Number(deposit.amount) !== amount) {
        throw new DomainError('INVALID_STATE', `Deposit ${depositId} was credited with other terms`);
      }
      return toAccountView(account);
    }
    if (account.currency !== currency) {
      throw new DomainError('CURRENCY_MISMATCH', `Deposit currency ${currency} does not match the account's ${account.currency}`);
    }
    if (Number(account.balance) > MAX_BALANCE - amount) {
      throw new DomainError('BALANCE_LIMIT_EXCEEDED', `Account ${accountId} has no room for ${amount} below the balance cap`);
    }
    throw new DomainError('SERVICE_UNAVAILABLE', `Deposit ${depositId} lost a race with a concurrent credit; retry`);
  }
}
