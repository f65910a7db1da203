import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DevControlsModule, HealthModule } from '@bank/common';
import { DatabaseModule } from '@bank/database';
import { brokerHealth, OutboxRelayModule } from '@bank/messaging';
import { ACCOUNT_LIMITS, type AccountLimits } from './accounts/account-limits.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { GetAccountHandler } from './accounts/get-account.handler.js';
import { ListAccountsHandler } from './accounts/list-accounts.handler.js';
import { ListBalancesHandler } from './accounts/list-balances.handler.js';
import { OpenAccountHandler } from './accounts/open-account.handler.js';
import { ACCOUNTS_SCHEMA } from './accounts.schema.js';
import type { AccountsConfig } from './config/accounts.config.js';
import { CreditDepositHandler } from './deposits/credit-deposit.handler.js';
import { CommitFundsHandler } from './holds/commit-funds.handler.js';
import { ReleaseFundsHandler } from './holds/release-funds.handler.js';
import { ReserveFundsHandler } from './holds/reserve-funds.handler.js';
import { accountsMigrations } from './migrations/index.js';

@Module({})
export class AccountsModule {
  static forRoot(config: AccountsConfig): DynamicModule {
    const limits: AccountLimits = { maxPerCustomer: config.ACCOUNTS_MAX_PER_CUSTOMER };
    return {
      module: AccountsModule,
      imports: [
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({
          schema: ACCOUNTS_SCHEMA,
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          migrations: accountsMigrations,
        }),
        HealthModule.forRoot(brokerHealth()),
        DevControlsModule.forRoot(config.NODE_ENV),
        OutboxRelayModule.forRoot({ schema: ACCOUNTS_SCHEMA, broker: config }),
      ],
      controllers: [AccountsController],
      providers: [
        { provide: ACCOUNT_LIMITS, useValue: limits },
        OpenAccountHandler,
        GetAccountHandler,
        ListAccountsHandler,
        ListBalancesHandler,
        ReserveFundsHandler,
        CommitFundsHandler,
        ReleaseFundsHandler,
        CreditDepositHandler,
      ],
    };
  }
}
