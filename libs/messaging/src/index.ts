export * from './outbox/outbox.sql.js';
export * from './outbox/outbox.writer.js';
