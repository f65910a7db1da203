import { IsInt, Max, Min } from 'class-validator';
import { SubscriberConfig } from '@bank/messaging/config';

export class AnalyticsConfig extends SubscriberConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  ANALYTICS_HTTP_PORT = 3006;
}
