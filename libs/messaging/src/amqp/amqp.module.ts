import { type DynamicModule, Module } from '@nestjs/common';
import { AmqpConnection } from './amqp-connection.js';
import { AMQP_OPTIONS, type AmqpOptions } from './amqp.options.js';

const cache = new Map<string, DynamicModule>();

/**
 * Global module holding the process's AMQP connection (inject `AmqpConnection`). Both the outbox
 * relay and the event subscriber import it; Nest tells dynamic modules apart by object identity,
 * so equal options hand back the same module object and the process keeps one connection.
 */
@Module({})
export class AmqpModule {
  static forRoot(options: AmqpOptions): DynamicModule {
    const key = JSON.stringify(options);
    let module = cache.get(key);
    if (!module) {
      module = {
        module: AmqpModule,
        global: true,
        providers: [{ provide: AMQP_OPTIONS, useValue: options }, AmqpConnection],
        exports: [AmqpConnection],
      };
      cache.set(key, module);
    }
    return module;
  }
}
