import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Sql } from '@bank/database';
import type { OutboxMessageView } from '@bank/contracts';
import { MESSAGE_COLUMNS, toOutboxMessageView, type MessageChannel, type MessageRow } from './message.row.js';

export interface NewMessage {
  recipient: string;
  channel: MessageChannel;
  body: string;
  /** Business identity of the message: the same key is the same message, recorded once. */
  dedupeKey: string;
}

export interface RecordedMessage {
  id: string;
  /** False when the key was already there (a retry or a redelivery): nothing new was sent. */
  created: boolean;
}

/** notifications.messages, for every kind of message (OTP codes, customer notices). */
@Injectable()
export class MessageStore {
  constructor(private readonly db: Sql) {}

  async record(message: NewMessage): Promise<RecordedMessage> {
    const [inserted] = await this.db.rows<{ id: string }>(
      `INSERT INTO notifications.messages (id, recipient, channel, body, dedupe_key) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [randomUUID(), message.recipient, message.channel, message.body, message.dedupeKey],
    );
    if (inserted) return { id: inserted.id, created: true };
    // A separate statement: it sees the conflicting row even when its insert committed after ours began.
    const [existing] = await this.db.rows<{ id: string }>(`SELECT id FROM notifications.messages WHERE dedupe_key = $1`, [
      message.dedupeKey,
    ]);
    if (!existing) throw new Error(`Message ${message.dedupeKey} vanished after a conflict`);
    return { id: existing.id, created: false };
  }

  /** Newest first. */
  async recentFor(recipient: string, limit: number): Promise<OutboxMessageView[]> {
    const rows = await this.db.rows<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM notifications.messages WHERE recipient = $1 ORDER BY sent_at DESC, id DESC LIMIT $2`,
      [recipient, limit],
    );
    return rows.map(toOutboxMessageView);
  }
}
