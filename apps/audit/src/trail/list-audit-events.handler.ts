import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { ListAuditEventsQuery } from './list-audit-events.query.js';
import { RECORD_COLUMNS, toAuditEventView, type AuditEventView, type AuditRecordRow } from './audit-record.row.js';

/** The trail in recording order (seq ascending), filtered by transfer and/or type. */
@QueryHandler(ListAuditEventsQuery)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEventsQuery, AuditEventView[]> {
  constructor(private readonly db: Sql) {}

  async execute({ transferId, type, limit }: ListAuditEventsQuery): Promise<AuditEventView[]> {
    const rows = await this.db.rows<AuditRecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM audit.records
        WHERE ($1::text IS NULL OR data->>'transferId' = $1) AND ($2::text IS NULL OR type = $2)
        ORDER BY seq LIMIT $3`,
      [transferId?.toLowerCase() ?? null, type ?? null, limit ?? 100],
    );
    return rows.map(toAuditEventView);
  }
}
