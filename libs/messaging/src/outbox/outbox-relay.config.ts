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

  /** Published rows are kept this long (for inspection and replays), then pruned. */
  @IsInt()
  @Min(0)
  @Max(24 * 365)
  OUTBOX_RETENTION_HOURS = 168;

  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  OUTBOX_PRUNE_INTERVAL_MS = 600_000;
}

export interface OutboxRelayTuning {
  batchSize: number;
  pollMs: number;
  /** Fractions allowed, for tests. */
  retentionHours: number;
  pruneIntervalMs: number;
}

export function relayTuningFrom(config: OutboxRelayConfig): OutboxRelayTuning {
  return {
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollMs: config.OUTBOX_POLL_MS,
    retentionHours: config.OUTBOX_RETENTION_HOURS,
    pruneIntervalMs: config.OUTBOX_PRUNE_INTERVAL_MS,
  };
}
