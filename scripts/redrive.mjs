// Redrive: `node scripts/redrive.mjs <subscriber> [--limit N]` moves messages parked in
// <subscriber>.events.dlq back to <subscriber>.events (e.g. after fixing the bug or the data that
// made them fail). Each message is republished, confirmed by the broker, and only then removed
// from the DLQ, so a crash midway duplicates at most one message (subscribers dedupe by event id)
// and never loses one. Its retry count starts again from zero. It moves at most the messages that
// were parked when it started, so a message that fails again at once cannot keep it looping.
// A redriven message keeps its publisher (userId, and the x-published-by header its subscriber
// wrote), so an event parked because the wrong user sent it is parked again: that takes a broker
// user with the `impersonator` tag, the operator's (`<ROLE_PREFIX>operator`, made by provisioning;
// start:all writes its AMQP_URL to logs/operator.env). Reads AMQP_URL
// (default amqp://guest:guest@127.0.0.1:5672). Prints one JSON line.
import { connect } from 'amqplib';

const SUBSCRIBER_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
// Set by the consumer or the broker for one pass through the queues; a redriven message starts clean.
const DROPPED_HEADERS = [
  'x-retry-count',
  'x-last-error',
  'x-parked-reason',
  'x-parked-at',
  'x-parked-by',
  'x-death',
  'x-delivery-count',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
];

function usage(message) {
  process.stderr.write(`${message}\nusage: node scripts/redrive.mjs <subscriber> [--limit N]\n`);
  process.exit(64);
}

function parseArgs(argv) {
  const [subscriber, ...rest] = argv;
  if (!subscriber || !SUBSCRIBER_PATTERN.test(subscriber)) usage('a subscriber name (e.g. audit, analytics, notifications) is required');
  let limit = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = arg.startsWith('--limit=') ? arg.slice('--limit='.length) : arg === '--limit' ? rest[++i] : undefined;
    if (value === undefined) usage(`unknown argument ${arg}`);
    if (!/^\d+$/.test(value)) usage('--limit needs a whole number');
    limit = Number(value);
  }
  return { subscriber, limit };
}

function publishConfirmed(channel, queue, content, options) {
  return new Promise((resolve, reject) => {
    channel.sendToQueue(queue, content, options, (error) => (error ? reject(error) : resolve()));
  });
}

const { subscriber, limit } = parseArgs(process.argv.slice(2));
const queue = `${subscriber}.events`;
const dlq = `${queue}.dlq`;
const connection = await connect(process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672');
// Errors also reject the pending operation, which is where they are reported.
connection.on('error', () => undefined);
let moved = 0;
try {
  const channel = await connection.createConfirmChannel();
  channel.on('error', () => undefined);
  // checkQueue fails (404) for a subscriber that never ran: better than creating queues by mistake.
  const { messageCount: parked } = await channel.checkQueue(dlq);
  await channel.checkQueue(queue);
  const max = Math.min(parked, limit);
  while (moved < max) {
    const message = await channel.get(dlq, { noAck: false });
    if (message === false) break;
    const { properties } = message;
    const headers = { ...(properties.headers ?? {}) };
    for (const header of DROPPED_HEADERS) delete headers[header];
    headers['x-redriven-at'] = new Date().toISOString();
    try {
      await publishConfirmed(channel, queue, message.content, {
        persistent: true,
        headers,
        ...(properties.messageId ? { messageId: properties.messageId } : {}),
        ...(properties.contentType ? { contentType: properties.contentType } : {}),
        ...(properties.correlationId ? { correlationId: properties.correlationId } : {}),
        ...(properties.type ? { type: properties.type } : {}),
        ...(properties.appId ? { appId: properties.appId } : {}),
        ...(properties.userId ? { userId: properties.userId } : {}),
        ...(typeof properties.timestamp === 'number' ? { timestamp: properties.timestamp } : {}),
      });
    } catch (error) {
      channel.nack(message, false, true);
      throw error;
    }
    channel.ack(message);
    moved++;
  }
  const { messageCount: remaining } = await channel.checkQueue(dlq);
  process.stdout.write(`${JSON.stringify({ subscriber, moved, remaining })}\n`);
  await channel.close();
} catch (error) {
  process.stderr.write(`${JSON.stringify({ subscriber, moved, error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 1;
} finally {
  await connection.close().catch(() => undefined);
}
