import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTableSql, dropOutboxTableSql } from '@bank/messaging';

/**
 * Accounts with their balances and holds. The database, not the code, refuses an overdraft:
 * balance and availableBalance can never go negative, and available never exceeds balance.
 */
export class CreateAccounts1764000000000 implements MigrationInterface {
  name = 'CreateAccounts1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE accounts.accounts (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL,
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      balance bigint NOT NULL DEFAULT 0,
      available_balance bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT balance_not_negative CHECK (balance >= 0),
      -- JSON numbers stay exact: no balance beyond Number.MAX_SAFE_INTEGER.
      CONSTRAINT balance_within_safe_integer CHECK (balance <= 9007199254740991),
      CONSTRAINT available_not_negative CHECK (available_balance >= 0),
      CONSTRAINT available_within_balance CHECK (available_balance <= balance)
    )`);
    await db.query(`CREATE INDEX accounts_customer_idx ON accounts.accounts (customer_id, created_at)`);
    // One row per transfer. A RELEASED row without account is a tombstone left by a compensation
    // that arrived before its reserve: the late reserve then finds the transfer already released.
    await db.query(`CREATE TABLE accounts.holds (
      transfer_id uuid PRIMARY KEY,
      account_id uuid REFERENCES accounts.accounts (id),
      to_account_id uuid REFERENCES accounts.accounts (id),
      amount bigint CHECK (amount > 0),
      currency char(3),
      status text NOT NULL CHECK (status IN ('RESERVED', 'CAPTURED', 'RELEASED')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT hold_complete CHECK (status = 'RELEASED' OR (account_id IS NOT NULL AND to_account_id IS NOT NULL AND amount IS NOT NULL)),
      CONSTRAINT hold_not_to_self CHECK (account_id <> to_account_id)
    )`);
    await db.query(`CREATE TABLE accounts.deposits (
      deposit_id uuid PRIMARY KEY,
      account_id uuid NOT NULL REFERENCES accounts.accounts (id),
      amount bigint NOT NULL CHECK (amount > 0),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    for (const sql of createOutboxTableSql('accounts')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxTableSql('accounts')) await db.query(sql);
    await db.query(`DROP TABLE accounts.deposits`);
    await db.query(`DROP TABLE accounts.holds`);
    await db.query(`DROP TABLE accounts.accounts`);
  }
}
