import { randomUUID } from 'node:crypto';
import type { ReserveFundsCommand } from '@bank/contracts';
import type { TestDatabase } from '@bank/testing';
import { createTestDatabase } from '@bank/testing';
import { ACCOUNTS_SCHEMA } from '../accounts.schema.js';
import { OpenAccountHandler } from '../accounts/open-account.handler.js';
import { CreditDepositHandler } from '../deposits/credit-deposit.handler.js';
import { accountsMigrations } from '../migrations/index.js';

/** The accounts service's database-tier specs: its real migrations, its real handlers, a database each. */
export function createAccountsTestDatabase(poolSize?: number): Promise<TestDatabase> {
  return createTestDatabase({ schema: ACCOUNTS_SCHEMA, migrations: accountsMigrations, ...(poolSize ? { poolSize } : {}) });
}

export interface Funded {
  id: string;
  customerId: string;
}

/** Opens an account and deposits `amount` into it (none for 0), through the service's own handlers. */
export async function openFunded(db: TestDatabase, amount: number, currency = 'EUR'): Promise<Funded> {
  const customerId = randomUUID();
  const account = await new OpenAccountHandler(db.sql, { maxPerCustomer: 1_000 }).execute({ customerId, currency });
  if (amount > 0) await new CreditDepositHandler(db.sql).execute({ depositId: randomUUID(), accountId: account.id, amount, currency });
  return { id: account.id, customerId };
}

export function reserveCommand(from: Funded, to: Funded, amount: number, currency = 'EUR'): ReserveFundsCommand {
  return { transferId: randomUUID(), customerId: from.customerId, fromAccountId: from.id, toAccountId: to.id, amount, currency };
}

export async function balances(db: TestDatabase, accountId: string): Promise<{ balance: number; available: number }> {
  const [row] = await db.sql.rows<{ balance: string; available_balance: string }>(
    `SELECT balance, available_balance FROM accounts.accounts WHERE id = $1`,
    [accountId],
  );
  return { balance: Number(row.balance), available: Number(row.available_balance) };
}

/**
 * Every row the money commands write, in a stable order: two equal snapshots around a replay prove
 * it changed nothing (balances, holds, deposits, not even a hold's updated_at).
 */
export async function moneySnapshot(db: TestDatabase): Promise<unknown[]> {
  return db.sql.rows(
    `SELECT 'account' AS kind, to_jsonb(a) AS row FROM accounts.accounts a
     UNION ALL SELECT 'hold', to_jsonb(h) FROM accounts.holds h
     UNION ALL SELECT 'deposit', to_jsonb(d) FROM accounts.deposits d
     ORDER BY 1, 2`,
  );
}
