import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, PinoLoggerService } from '@bank/common';

/** The level of the logs of the modules a test boots in its own process (TEST_LOG_LEVEL=debug to read them). */
export const TEST_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';

/** Boots a module without HTTP, in the test's process: a repository, a relay, a subscriber under test. */
export async function startContext(module: DynamicModule): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(module, {
    logger: new PinoLoggerService(createLogger('e2e', TEST_LOG_LEVEL)),
    abortOnError: false,
  });
  await app.init();
  return app;
}
