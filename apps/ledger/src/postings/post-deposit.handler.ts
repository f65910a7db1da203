import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { DomainError, PostDepositCommand, type PostingReply } from '@bank/contracts';
import { explainIncompletePosting, refuseOtherCurrency } from './journal-refusal.js';
import type { PostingWithEntriesRow } from './posting.row.js';
import { settlementAccountId } from './settlement-account.js';

/**
 * One statement: the posting, the customer's running balance and both entries. The settlement side
 * gets an entry but no balance row: every deposit of a currency would otherwise queue on that one row.
 */
const POST_DEPOSIT_SQL = `
  WITH posting AS (
    INSERT INTO ledger.postings (kind, deposit_id, currency)
    SELECT 'DEPOSIT', $1, $4
     WHERE NOT EXISTS (SELECT 1 FROM ledger.balances WHERE account_id = $2::uuid AND currency <> $4)
    ON CONFLICT (deposit_id) WHERE kind = 'DEPOSIT' DO NOTHING
    RETURNING id
  ), moved AS (
    INSERT INTO ledger.balances AS b (account_id, currency, balance)
    SELECT $2::uuid, $4, $3::bigint FROM posting
    ON CONFLICT (account_id) DO UPDATE SET balance = b.balance + EXCLUDED.balance
     WHERE b.currency = EXCLUDED.currency
    RETURNING account_id, balance
  ), booked AS (
    INSERT INTO ledger.entries (posting_id, account_id, amount, currency, balance_after)
    SELECT posting.id, ledger.settlement_account($4), -$3::bigint, $4, NULL FROM posting
    UNION ALL
    SELECT posting.id, moved.account_id, $3::bigint, $4, moved.balance FROM posting CROSS JOIN moved
    RETURNING 1
  )
  SELECT id FROM posting`;

/** Money entering from outside: debit the currency's settlement account, credit the customer's. */
@CommandHandler(PostDepositCommand)
export class PostDepositHandler implements ICommandHandler<PostDepositCommand, PostingReply> {
  constructor(private readonly db: Sql) {}

  async execute(command: PostDepositCommand): Promise<PostingReply> {
    const { depositId, accountId, amount, currency } = command;
    if (accountId === settlementAccountId(currency))
      throw new DomainError('VALIDATION_FAILED', 'Cannot deposit into the settlement account');
    let rows: { id: string }[];
    try {
      rows = await this.db.rows<{ id: string }>(POST_DEPOSIT_SQL, [depositId, accountId, amount, currency]);
    } catch (error) {
      return explainIncompletePosting(this.db, error, [accountId], currency);
    }
    // A deposit's "transfer id" is its deposit id, as in the statement.
    if (rows[0]) return { postingId: rows[0].id, transferId: depositId, kind: 'DEPOSIT' };
    return this.replay(command);
  }

  /** Read-only: the deposit is already booked (the same terms get the posting back), or the account is kept in another currency. */
  private async replay({ depositId, accountId, amount, currency }: PostDepositCommand): Promise<PostingReply> {
    const [existing] = await this.db.rows<PostingWithEntriesRow>(
      `SELECT p.id, p.kind, p.currency,
              coalesce(json_agg(json_build_object('account_id', e.account_id, 'amount', e.amount)) FILTER (WHERE e.id IS NOT NULL), '[]') AS entries
         FROM ledger.postings p LEFT JOIN ledger.entries e ON e.posting_id = p.id
        WHERE p.deposit_id = $1 AND p.kind = 'DEPOSIT'
        GROUP BY p.id`,
      [depositId],
    );
    if (!existing) {
      await refuseOtherCurrency(this.db, [accountId], currency);
      throw new DomainError('SERVICE_UNAVAILABLE', `Posting of deposit ${depositId} is not visible yet; retry`);
    }
    const credit = existing.entries.find((e) => e.account_id === accountId);
    if (existing.currency !== currency || credit?.amount !== amount) {
      throw new DomainError('INVALID_STATE', `Deposit ${depositId} was posted with other terms`);
    }
    return { postingId: existing.id, transferId: depositId, kind: 'DEPOSIT' };
  }
}
