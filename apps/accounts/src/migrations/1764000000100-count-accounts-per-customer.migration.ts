import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many accounts each customer opened: the row that opening an account increments, only while it
 * is below the limit (ACCOUNTS_MAX_PER_CUSTOMER). Its row lock serialises a customer's concurrent
 * openings, so the limit holds without counting rows under a race.
 */
export class CountAccountsPerCustomer1764000000100 implements MigrationInterface {
  name = 'CountAccountsPerCustomer1764000000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE accounts.customer_accounts (
      customer_id uuid PRIMARY KEY,
      opened integer NOT NULL CHECK (opened > 0)
    )`);
    await db.query(`INSERT INTO accounts.customer_accounts (customer_id, opened)
      SELECT customer_id, count(*) FROM accounts.accounts GROUP BY customer_id`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE accounts.customer_accounts`);
  }
}
