import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from '@bank/contracts';
import { Sql } from '@bank/database';
import type { SignedCheckpoint } from './checkpoint-signer.js';
import { CHECKPOINT_COLUMNS, toCheckpoint, type CheckpointRow } from './checkpoint.row.js';

/** GET /audit/checkpoints query string; also the CQRS query. */
export class ListCheckpointsQuery {
  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(1000) limit?: number;
}

/**
 * Every signed checkpoint, newest first, whatever key signed it: operators copy them out of the
 * database (the one thing a superuser who deletes checkpoints too cannot undo) and check them with
 * audit-checkpoint.pub.
 */
@QueryHandler(ListCheckpointsQuery)
export class ListCheckpointsHandler implements IQueryHandler<ListCheckpointsQuery, SignedCheckpoint[]> {
  constructor(private readonly db: Sql) {}

  async execute({ limit }: ListCheckpointsQuery): Promise<SignedCheckpoint[]> {
    const rows = await this.db.rows<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM audit.checkpoints ORDER BY signed_at DESC, id DESC LIMIT $1`,
      [limit ?? 100],
    );
    return rows.map(toCheckpoint);
  }
}
