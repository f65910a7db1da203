import { IsInt, Max, Min } from 'class-validator';
import { BrokerConfig } from '@bank/common/config';

export class AccountsConfig extends BrokerConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  ACCOUNTS_TCP_PORT = 4001;

  /** Small HTTP port for /health and /metrics. */
  @IsInt()
  @Min(1)
  @Max(65535)
  ACCOUNTS_HTTP_PORT = 3001;

  /** How many accounts one customer may open; past it POST /accounts answers 422 ACCOUNT_LIMIT_REACHED. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  ACCOUNTS_MAX_PER_CUSTOMER = 50;
}
