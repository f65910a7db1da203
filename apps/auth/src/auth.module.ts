import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { HealthModule } from '@bank/common';
import { DatabaseModule, deleteOlderThan, RetentionModule, type RetentionConfig, type RetentionRule } from '@bank/database';
import { brokerHealth, OutboxRelayModule } from '@bank/messaging';
import { AuthController } from './auth.controller.js';
import { AUTH_SCHEMA } from './auth.schema.js';
import { AuthConfig } from './config/auth.config.js';
import { authMigrations } from './migrations/index.js';
import { OtpCodeService } from './otp/otp-code.service.js';
import { OtpLimitsService } from './otp/otp-limits.service.js';
import { OtpSealService } from './otp/otp-seal.service.js';
import { StartOtpChallengeHandler } from './otp/start-otp-challenge.handler.js';
import { VerifyOtpHandler } from './otp/verify-otp.handler.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { GetSigningKeysHandler } from './tokens/get-signing-keys.handler.js';
import { SigningKeysService } from './tokens/signing-keys.service.js';

/**
 * What auth prunes: challenges once expired for the retention, and a rate window's row once even its
 * newest hit is that old, unless it carries a failure streak (that must outlive any wait it imposes).
 */
export function authRetention(retention: RetentionConfig): RetentionRule[] {
  return [
    deleteOlderThan('auth.otp_challenges', 'expires_at', retention.OTP_RETENTION_HOURS),
    deleteOlderThan(
      'auth.otp_rate_limits',
      `coalesce(greatest(last_hit_at, (SELECT max(h) FROM unnest(hits) AS h)), '-infinity')`,
      retention.OTP_RETENTION_HOURS,
      'streak = 0',
    ),
  ];
}

@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({
          schema: AUTH_SCHEMA,
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          migrations: authMigrations,
        }),
        OutboxRelayModule.forRoot({ schema: AUTH_SCHEMA, broker: config }),
        RetentionModule.forRoot(authRetention),
        HealthModule.forRoot(brokerHealth()),
      ],
      controllers: [AuthController],
      providers: [
        // The validated config is injectable by its class.
        { provide: AuthConfig, useValue: config },
        OtpCodeService,
        OtpLimitsService,
        OtpSealService,
        SigningKeysService,
        AccessTokenService,
        StartOtpChallengeHandler,
        VerifyOtpHandler,
        GetSigningKeysHandler,
      ],
    };
  }
}
