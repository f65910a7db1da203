import type { HealthModuleOptions } from '@bank/common';
import { AmqpConnection } from './amqp-connection.js';

/** `HealthModule.forRoot(brokerHealth())`: /health also checks the broker and the consumers on it. */
export function brokerHealth(): HealthModuleOptions {
  return { useFactory: (amqp: AmqpConnection) => [amqp.healthProbe()], inject: [AmqpConnection] };
}
