import { IsInt, IsString, Max, Min } from 'class-validator';
import { BaseConfig } from '@bank/common/config';

/** The ledger takes commands over TCP and uses no broker: BaseConfig, not BrokerConfig. */
export class LedgerConfig extends BaseConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  LEDGER_TCP_PORT = 4002;

  /** Small HTTP port for /health, /metrics and GET /reconciliation. */
  @IsInt()
  @Min(1)
  @Max(65535)
  LEDGER_HTTP_PORT = 3002;

  /** Reconciliation reads every account's balance from the accounts service. */
  @IsString()
  ACCOUNTS_HOST = '127.0.0.1';

  @IsInt()
  @Min(1)
  @Max(65535)
  ACCOUNTS_TCP_PORT = 4001;

  /** Timeout of one call to the accounts service (per attempt). */
  @IsInt()
  @Min(50)
  @Max(60_000)
  RPC_TIMEOUT_MS = 2_000;
}
