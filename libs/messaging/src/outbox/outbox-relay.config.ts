import { IsInt, Max, Min } from 'class-validator';

/**
 * Tuning of the outbox relay, read from the environment (validated) by OutboxRelayModule so the
 * producing services need no config change. Every value has a production default.
 */
export class OutboxRelayConfig {
  /** Rows claimed, published and marked per transaction. */
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_BATCH_SIZE = 100;

  /** Fallback poll when a NOTIFY was missed (e.g. the LISTEN connection was down). */
  @IsInt()
  @Min(50)
  @Max(60_000)
  OUTBOX_POLL_MS = 1_000;

  /** A row the broker did not take waits this long before its next try. */
  @IsInt()
  @Min(10)
  @Max(600_000)
  OUTBOX_RETRY_MS = 5_000;

  /**
   * Returns (no queue bound to its type) after which a row is parked: kept, no longer claimed,
   * counted in outbox_parked_total and outbox_parked, logged as an error.
   */
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_PARK_AFTER_RETURNS = 12;

  /** Published rows are kept this long (for inspection and replays), then pruned by the app's Pruner (RETENTION_*). */
  @IsInt()
  @Min(0)
  @Max(24 * 365)
  OUTBOX_RETENTION_HOURS = 168;
}

export interface OutboxRelayTuning {
  batchSize: number;
  pollMs: number;
  retryMs: number;
  parkAfterReturns: number;
  /** Fractions allowed, for tests. */
  retentionHours: number;
}

export function relayTuningFrom(config: OutboxRelayConfig): OutboxRelayTuning {
  return {
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollMs: config.OUTBOX_POLL_MS,
    retryMs: config.OUTBOX_RETRY_MS,
    parkAfterReturns: config.OUTBOX_PARK_AFTER_RETURNS,
    retentionHours: config.OUTBOX_RETENTION_HOURS,
  };
}
