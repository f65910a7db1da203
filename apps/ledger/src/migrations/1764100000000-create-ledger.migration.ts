import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The double-entry journal. Its invariants live here, not in the code, so no client (nor a person
 * with psql) can break them:
 * - a posting's entries sum to 0 per currency, checked at commit (a deferred constraint trigger);
 * - the journal is append-only: UPDATE, DELETE and TRUNCATE of postings and entries are refused;
 * - a transfer is booked at most once, and a VOID (compensation before the booking) excludes it;
 * - a reversal exists only for a booked transfer and undoes exactly its entries;
 * - only the settlement accounts (one per currency) go without a running balance.
 */
export class CreateLedger1764100000000 implements MigrationInterface {
  name = 'CreateLedger1764100000000';

  async up(db: QueryRunner): Promise<void> {
    // Deterministic, so every replica and every test computes the same id without a lookup.
    await db.query(`CREATE FUNCTION ledger.settlement_account(currency text) RETURNS uuid
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('settlement:' || currency)::uuid $$`);

    await db.query(`CREATE TABLE ledger.postings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('TRANSFER', 'REVERSAL', 'DEPOSIT', 'VOID')),
      transfer_id uuid,
      deposit_id uuid,
      currency char(3) CHECK (currency ~ '^[A-Z]{3}$'),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT posting_business_id CHECK (CASE WHEN kind = 'DEPOSIT'
        THEN deposit_id IS NOT NULL AND transfer_id IS NULL
        ELSE transfer_id IS NOT NULL AND deposit_id IS NULL END),
      -- A VOID books nothing, so it has no currency; every other posting has one.
      CONSTRAINT posting_currency CHECK ((kind = 'VOID') = (currency IS NULL)),
      -- Target of the entries' (posting_id, currency) key: an entry is in its posting's currency.
      CONSTRAINT posting_id_currency UNIQUE (id, currency)
    )`);
    // One index over both kinds: a VOID blocks a late TRANSFER and a TRANSFER blocks a VOID.
    await db.query(`CREATE UNIQUE INDEX postings_transfer_or_void ON ledger.postings (transfer_id) WHERE kind IN ('TRANSFER', 'VOID')`);
    await db.query(`CREATE UNIQUE INDEX postings_reversal ON ledger.postings (transfer_id) WHERE kind = 'REVERSAL'`);
    await db.query(`CREATE UNIQUE INDEX postings_deposit ON ledger.postings (deposit_id) WHERE kind = 'DEPOSIT'`);

    await db.query(`CREATE TABLE ledger.entries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigserial NOT NULL,
      posting_id uuid NOT NULL,
      account_id uuid NOT NULL,
      amount bigint NOT NULL CONSTRAINT entry_amount_not_zero CHECK (amount <> 0),
      currency char(3) NOT NULL,
      balance_after bigint,
      posted_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT entry_of_posting FOREIGN KEY (posting_id, currency) REFERENCES ledger.postings (id, currency),
      -- Customer accounts carry their running balance; the settlement account has none (no hot row).
      CONSTRAINT entry_balance_after_iff_customer
        CHECK ((balance_after IS NULL) = (account_id = ledger.settlement_account(currency)))
    )`);
    // Statements read one account newest first by seq; the balance trigger reads one posting.
    await db.query(`CREATE INDEX entries_account_seq ON ledger.entries (account_id, seq)`);
    await db.query(`CREATE INDEX entries_posting ON ledger.entries (posting_id)`);

    // Mutable by design: the running balance, updated by the statement that books the entries.
    // No "not negative" check: the accounts service guards overdrafts, and the ledger may see a
    // transfer's posting before the deposit that funded it (reconciliation reports any lasting gap).
    await db.query(`CREATE TABLE ledger.balances (
      account_id uuid PRIMARY KEY,
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      balance bigint NOT NULL,
      -- JSON numbers stay exact.
      CONSTRAINT balance_within_safe_integer CHECK (balance BETWEEN -9007199254740991 AND 9007199254740991),
      CONSTRAINT balance_not_settlement CHECK (account_id <> ledger.settlement_account(currency))
    )`);

    // The balanced-journal rule, at commit so that a posting's entries may be inserted one by one.
    await db.query(`CREATE FUNCTION ledger.assert_posting_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM ledger.entries WHERE posting_id = NEW.posting_id GROUP BY currency HAVING sum(amount) <> 0) THEN
          RAISE EXCEPTION 'posting % is not balanced', NEW.posting_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'posting_balanced';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE CONSTRAINT TRIGGER entries_balanced AFTER INSERT ON ledger.entries
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.assert_posting_balanced()`);

    // Entries cannot balance a posting that has none: every posting but a VOID must book something,
    // a VOID nothing, and a reversal must undo exactly the entries of its transfer.
    await db.query(`CREATE FUNCTION ledger.assert_posting_complete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.kind = 'VOID') = EXISTS (SELECT 1 FROM ledger.entries WHERE posting_id = NEW.id) THEN
          RAISE EXCEPTION '% posting % must %', NEW.kind, NEW.id, CASE WHEN NEW.kind = 'VOID' THEN 'have no entries' ELSE 'have entries' END
            USING ERRCODE = 'check_violation', CONSTRAINT = 'posting_complete';
        END IF;
        IF NEW.kind = 'REVERSAL' AND (
             NOT EXISTS (SELECT 1 FROM ledger.postings WHERE transfer_id = NEW.transfer_id AND kind = 'TRANSFER')
             OR EXISTS (
               SELECT 1 FROM ledger.entries e JOIN ledger.postings p ON p.id = e.posting_id
                WHERE p.transfer_id = NEW.transfer_id AND p.kind IN ('TRANSFER', 'REVERSAL')
                GROUP BY e.account_id, e.currency HAVING sum(e.amount) <> 0)) THEN
          RAISE EXCEPTION 'reversal % does not undo transfer %', NEW.id, NEW.transfer_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reversal_undoes_transfer';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE CONSTRAINT TRIGGER postings_complete AFTER INSERT ON ledger.postings
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.assert_posting_complete()`);

    // An immutable journal: corrections are new postings (reversals), never edits.
    await db.query(`CREATE FUNCTION ledger.refuse_journal_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger.% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'object_not_in_prerequisite_state';
      END $$`);
    for (const table of ['postings', 'entries']) {
      await db.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ledger.${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_journal_change()`);
      await db.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ledger.${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_journal_change()`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ledger.balances`);
    await db.query(`DROP TABLE ledger.entries`);
    await db.query(`DROP TABLE ledger.postings`);
    await db.query(`DROP FUNCTION ledger.refuse_journal_change()`);
    await db.query(`DROP FUNCTION ledger.assert_posting_complete()`);
    await db.query(`DROP FUNCTION ledger.assert_posting_balanced()`);
    await db.query(`DROP FUNCTION ledger.settlement_account(text)`);
  }
}
