import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every message notifications "sends" (records): OTP codes now, customer notices later. dedupe_key
 * makes each send idempotent: a retried command or a redelivered event finds its message already there.
 */
export class CreateMessages1764400000000 implements MigrationInterface {
  name = 'CreateMessages1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE notifications.messages (
      id uuid PRIMARY KEY,
      recipient text NOT NULL,
      channel text NOT NULL CONSTRAINT message_channel CHECK (channel IN ('sms')),
      body text NOT NULL CONSTRAINT message_body_not_empty CHECK (length(body) BETWEEN 1 AND 1600),
      sent_at timestamptz NOT NULL DEFAULT now(),
      dedupe_key text NOT NULL CONSTRAINT messages_dedupe_key UNIQUE
    )`);
    // The dev outbox: a recipient's messages, newest first.
    await db.query(`CREATE INDEX messages_recipient_idx ON notifications.messages (recipient, sent_at DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE notifications.messages`);
  }
}
