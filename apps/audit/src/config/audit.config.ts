import { IsInt, Max, Min } from 'class-validator';
import { SubscriberConfig } from '@bank/messaging/config';

export class AuditConfig extends SubscriberConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  AUDIT_HTTP_PORT = 3005;
}
