import { type DynamicModule, Module } from '@nestjs/common';
import { loadConfig } from '@bank/common';
import { PRUNER_OPTIONS, Pruner, type PrunerOptions } from './pruner.js';
import { RetentionConfig } from './retention.config.js';
import type { RetentionRule } from './retention.rules.js';

/**
 * `RetentionModule.forRoot((retention) => [deleteOlderThan('auth.otp_challenges', 'expires_at', retention.OTP_RETENTION_HOURS)])`:
 * one per app, listing every table it prunes; the settings come from RETENTION_* / *_RETENTION_HOURS.
 */
@Module({})
export class RetentionModule {
  static forRoot(rules: (config: RetentionConfig) => RetentionRule[], overrides: Partial<RetentionConfig> = {}): DynamicModule {
    const config = { ...loadConfig(RetentionConfig), ...overrides };
    const options: PrunerOptions = {
      rules: rules(config),
      intervalMs: config.RETENTION_INTERVAL_MS,
      batchSize: config.RETENTION_BATCH_SIZE,
    };
    return {
      module: RetentionModule,
      providers: [{ provide: PRUNER_OPTIONS, useValue: options }, Pruner],
      exports: [Pruner],
    };
  }
}
