import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { HealthModule, loadConfig, loadTlsIdentity, RpcModule } from '@bank/common';
import { DatabaseModule, olderThan, RetentionConfig, RetentionModule, type RetentionRule } from '@bank/database';
import { brokerHealth, OutboxRelayModule } from '@bank/messaging';
import { AccountDirectory } from './accounts/account-directory.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { AccountsService } from './accounts/accounts.service.js';
import { AccessTokenGuard } from './auth/access-token.guard.js';
import { AccessTokenVerifier } from './auth/signing-keys.service.js';
import type { OrchestratorConfig } from './config/orchestrator.config.js';
import { DepositRepository } from './deposits/deposit.repository.js';
import { DepositsController } from './deposits/deposits.controller.js';
import { MakeDepositHandler } from './deposits/make-deposit.handler.js';
import { LoginController } from './login/login.controller.js';
import { LoginService } from './login/login.service.js';
import { orchestratorMigrations } from './migrations/index.js';
import { ORCHESTRATOR_SCHEMA } from './orchestrator.schema.js';
import { DepositSaga } from './saga/deposit.saga.js';
import { SagaMetricsHandler } from './saga/saga-metrics.event-handler.js';
import { SagaRecoveryService } from './saga/saga-recovery.service.js';
import { ACCOUNTS_RPC, AUTH_RPC, LEDGER_RPC, NOTIFICATIONS_RPC, SAGA_SETTINGS, TIMELINE_SETTINGS } from './orchestrator.tokens.js';
import type { SagaSettings } from './saga/saga.settings.js';
import { TransferSaga } from './saga/transfer.saga.js';
import { StartTransferHandler } from './transfers/start-transfer.handler.js';
import { TransferReads } from './transfers/transfer-reads.service.js';
import { TransferRepository } from './transfers/transfer.repository.js';
import { TransferTimelineService, type TimelineSettings } from './transfers/transfer-timeline.service.js';
import { TransfersController } from './transfers/transfers.controller.js';
import { uiParts } from './ui/ui.parts.js';

/**
 * What the orchestrator prunes: the Idempotency-Key of a finished transfer or deposit, cleared once
 * it is older than the retention. The row stays as the business record (GET by id still works); the
 * key may then be used for a new request.
 */
export function orchestratorRetention(retention: RetentionConfig): RetentionRule[] {
  return (['transfers', 'deposits'] as const).map((table) => {
    const name = `orchestrator.${table}`;
    return {
      table: `${name}.idempotency_key`,
      hours: retention.IDEMPOTENCY_RETENTION_HOURS,
      sql: `UPDATE ${name} SET idempotency_key = NULL
             WHERE ${olderThan(name, 'created_at', `idempotency_key IS NOT NULL AND status <> 'PENDING'`)} RETURNING 1`,
    };
  });
}

/** The public edge's controllers (besides /health and /metrics); the OpenAPI document is made from them. */
export const ORCHESTRATOR_CONTROLLERS = [LoginController, AccountsController, DepositsController, TransfersController];

@Module({})
export class OrchestratorModule {
  static forRoot(config: OrchestratorConfig): DynamicModule {
    const retention = loadConfig(RetentionConfig);
    const rpc = { timeoutMs: config.RPC_TIMEOUT_MS, retries: config.RPC_RETRIES, maxBufferSize: config.TCP_MAX_BUFFER_SIZE };
    // One identity for every internal link: the TCP commands and the timeline's HTTPS reads.
    const identity = loadTlsIdentity(config.CERTS_DIR, 'orchestrator');
    const timeline: TimelineSettings = {
      auditUrl: `https://${config.AUDIT_HOST}:${config.AUDIT_HTTP_PORT}`,
      notificationsUrl: `https://${config.NOTIFICATIONS_HOST}:${config.NOTIFICATIONS_HTTP_PORT}`,
      analyticsUrl: `https://${config.ANALYTICS_HOST}:${config.ANALYTICS_HTTP_PORT}`,
      timeoutMs: config.TIMELINE_TIMEOUT_MS,
      identity,
      inboxRetentionHours: retention.INBOX_RETENTION_HOURS,
      traceUiUrl: config.TRACE_UI_URL,
    };
    const saga: SagaSettings = {
      leaseMs: config.SAGA_LEASE_MS,
      stepBudgetMs: config.SAGA_STEP_BUDGET_MS,
      maxBackoffMs: config.SAGA_MAX_BACKOFF_MS,
      syncWaitMs: config.SAGA_SYNC_WAIT_MS,
      recoveryIntervalMs: config.SAGA_RECOVERY_INTERVAL_MS,
    };
    const ui = uiParts(config, identity);
    return {
      module: OrchestratorModule,
      imports: [
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({
          schema: ORCHESTRATOR_SCHEMA,
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          migrations: orchestratorMigrations,
        }),
        RpcModule.register(
          [
            { token: ACCOUNTS_RPC, name: 'accounts', host: config.ACCOUNTS_HOST, port: config.ACCOUNTS_TCP_PORT, ...rpc },
            { token: LEDGER_RPC, name: 'ledger', host: config.LEDGER_HOST, port: config.LEDGER_TCP_PORT, ...rpc },
            { token: AUTH_RPC, name: 'auth', host: config.AUTH_HOST, port: config.AUTH_TCP_PORT, ...rpc },
            {
              token: NOTIFICATIONS_RPC,
              name: 'notifications',
              host: config.NOTIFICATIONS_HOST,
              port: config.NOTIFICATIONS_TCP_PORT,
              ...rpc,
            },
          ],
          identity,
        ),
        // Ships transfer.* and deposit.* events from the outbox the saga writes in its final statement.
        OutboxRelayModule.forRoot({ schema: ORCHESTRATOR_SCHEMA, broker: config }),
        RetentionModule.forRoot(orchestratorRetention, retention),
        HealthModule.forRoot(brokerHealth()),
      ],
      controllers: [...ORCHESTRATOR_CONTROLLERS, ...ui.controllers],
      providers: [
        { provide: SAGA_SETTINGS, useValue: saga },
        { provide: TIMELINE_SETTINGS, useValue: timeline },
        TransferTimelineService,
        AccessTokenVerifier,
        AccessTokenGuard,
        AccountDirectory,
        AccountsService,
        LoginService,
        TransferRepository,
        TransferReads,
        DepositRepository,
        TransferSaga,
        DepositSaga,
        SagaRecoveryService,
        StartTransferHandler,
        MakeDepositHandler,
        SagaMetricsHandler,
        ...ui.providers,
      ],
    };
  }
}
