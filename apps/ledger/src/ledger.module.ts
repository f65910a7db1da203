import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DevControlsModule, HealthModule, loadTlsIdentity, RpcModule } from '@bank/common';
import { DatabaseModule } from '@bank/database';
import type { LedgerConfig } from './config/ledger.config.js';
import { LEDGER_SCHEMA } from './ledger.schema.js';
import { ledgerMigrations } from './migrations/index.js';
import { PostDepositHandler } from './postings/post-deposit.handler.js';
import { PostTransferHandler } from './postings/post-transfer.handler.js';
import { PostingsController } from './postings/postings.controller.js';
import { ReverseTransferHandler } from './postings/reverse-transfer.handler.js';
import { ACCOUNTS_RPC } from './reconciliation/accounts-rpc.js';
import { ReconcileHandler } from './reconciliation/reconcile.handler.js';
import { ReconciliationController } from './reconciliation/reconciliation.controller.js';
import { GetStatementHandler } from './statements/get-statement.handler.js';
import { StatementsController } from './statements/statements.controller.js';

/** Reconciliation only reads balances, so its calls to accounts may be retried freely. */
const ACCOUNTS_RPC_RETRIES = 2;

@Module({})
export class LedgerModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: LedgerModule,
      imports: [
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({
          schema: LEDGER_SCHEMA,
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          migrations: ledgerMigrations,
        }),
        HealthModule.forRoot(),
        DevControlsModule.forRoot(config.NODE_ENV),
        RpcModule.register(
          [
            {
              token: ACCOUNTS_RPC,
              name: 'accounts',
              host: config.ACCOUNTS_HOST,
              port: config.ACCOUNTS_TCP_PORT,
              timeoutMs: config.RPC_TIMEOUT_MS,
              retries: ACCOUNTS_RPC_RETRIES,
              maxBufferSize: config.TCP_MAX_BUFFER_SIZE,
            },
          ],
          loadTlsIdentity(config.CERTS_DIR, 'ledger'),
        ),
      ],
      controllers: [PostingsController, StatementsController, ReconciliationController],
      providers: [PostTransferHandler, ReverseTransferHandler, PostDepositHandler, GetStatementHandler, ReconcileHandler],
    };
  }
}
