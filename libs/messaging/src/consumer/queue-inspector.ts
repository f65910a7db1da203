import type { Channel } from 'amqplib';
import type { AmqpConnection } from '../amqp/amqp-connection.js';
import { formatDelay, type SubscriberTopology } from './subscriber.topology.js';

/**
 * Reads a subscriber's queue depths on a channel of its own, so a failed check (it closes its
 * channel) never costs the consumer its channel. Opened on first use, again after it is lost.
 */
export class QueueInspector {
  private channel?: Promise<Channel>;

  constructor(
    private readonly amqp: Pick<AmqpConnection, 'current'>,
    private readonly topology: SubscriberTopology,
  ) {}

  /** Ready messages per queue (main, dlq, retry.<delay>); for /metrics and tests. */
  async depths(): Promise<Record<string, number>> {
    const channel = await this.open();
    const depths: Record<string, number> = {};
    depths.main = (await channel.checkQueue(this.topology.queue)).messageCount;
    depths.dlq = (await channel.checkQueue(this.topology.deadLetterQueue)).messageCount;
    for (const retry of this.topology.retryQueues)
      depths[`retry.${formatDelay(retry.delayMs)}`] = (await channel.checkQueue(retry.name)).messageCount;
    return depths;
  }

  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.then((c) => c.close()).catch(() => undefined);
  }

  private open(): Promise<Channel> {
    const connection = this.amqp.current();
    if (!connection) return Promise.reject(new Error('broker not connected'));
    if (!this.channel) {
      const created = connection.createChannel().then((channel) => {
        channel.on('error', () => undefined);
        channel.on('close', () => {
          if (this.channel === created) this.channel = undefined;
        });
        return channel;
      });
      created.catch(() => {
        if (this.channel === created) this.channel = undefined;
      });
      this.channel = created;
    }
    return this.channel;
  }
}
