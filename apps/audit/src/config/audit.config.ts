import { IsInt, Max, Min } from 'class-validator';
import { SubscriberConfig } from '@bank/messaging/config';

export class AuditConfig extends SubscriberConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  AUDIT_HTTP_PORT = 3005;

  /**
   * How often audit signs its trail's head (when it moved) with audit-checkpoint.key of CERTS_DIR;
   * /audit/verify signs too, after a successful check. Records appended since the last checkpoint
   * are not anchored yet (deleting them is not noticed): the interval bounds that window.
   */
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  AUDIT_CHECKPOINT_INTERVAL_MS = 60_000;
}
