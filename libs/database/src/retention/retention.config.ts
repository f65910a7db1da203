import { IsInt, Max, Min } from 'class-validator';

/**
 * How long rows that only serve a while (deduplication, rate limits, delivery records, idempotency)
 * are kept, and how the one pruner of each app removes them. Read from the environment (validated)
 * by RetentionModule, and by the orchestrator for the transfer timeline.
 */
export class RetentionConfig {
  /** How often each app prunes. */
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  RETENTION_INTERVAL_MS = 600_000;

  /** Rows per DELETE (or UPDATE): short statements, short locks, little WAL at a time. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  RETENTION_BATCH_SIZE = 5_000;

  /** Subscribers' inbox rows. A redelivery older than this would be applied again: keep it far above any retry or redrive. */
  @IsInt()
  @Min(1)
  @Max(87_600)
  INBOX_RETENTION_HOURS = 168;

  /** auth: OTP challenges (after they expire) and per-phone rate rows (after their last hit); at least the longest rate window. */
  @IsInt()
  @Min(1)
  @Max(87_600)
  OTP_RETENTION_HOURS = 24;

  /** notifications: the messages it recorded as sent. */
  @IsInt()
  @Min(1)
  @Max(87_600)
  NOTIFICATIONS_RETENTION_HOURS = 720;

  /** orchestrator: Idempotency-Keys of finished transfers and deposits (the contract keeps them at least 24 h). */
  @IsInt()
  @Min(24)
  @Max(87_600)
  IDEMPOTENCY_RETENTION_HOURS = 48;
}
