import type { OutboxMessageView } from '@bank/contracts';

export type MessageChannel = 'sms';

export interface MessageRow {
  id: string;
  recipient: string;
  channel: MessageChannel;
  body: string;
  sent_at: Date;
}

export const MESSAGE_COLUMNS = 'id, recipient, channel, body, sent_at';

export function toOutboxMessageView(row: MessageRow): OutboxMessageView {
  return { id: row.id, recipient: row.recipient, channel: row.channel, body: row.body, sentAt: row.sent_at.toISOString() };
}
