import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { ListAuditEventsQuery } from './list-audit-events.query.js';
import { RECORD_COLUMNS, toAuditEventView, type AuditEventView, type ListedAuditRecordRow } from './audit-record.row.js';

const QUALIFIED_COLUMNS = RECORD_COLUMNS.split(', ')
  .map((column) => `r.${column}`)
  .join(', ');

/**
 * The trail in recording order (seq ascending), filtered by transfer and/or type, with the attempts
 * audit's inbox counted for each (one primary-key lookup per record listed).
 */
@QueryHandler(ListAuditEventsQuery)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEventsQuery, AuditEventView[]> {
  constructor(private readonly db: Sql) {}

  async execute({ transferId, type, limit }: ListAuditEventsQuery): Promise<AuditEventView[]> {
    const rows = await this.db.rows<ListedAuditRecordRow>(
      `SELECT ${QUALIFIED_COLUMNS}, i.attempts FROM audit.records r
         LEFT JOIN audit.inbox i ON i.subscriber = 'audit' AND i.event_id = r.event_id
        WHERE ($1::text IS NULL OR r.data->>'transferId' = $1) AND ($2::text IS NULL OR r.type = $2)
        ORDER BY r.seq LIMIT $3`,
      [transferId?.toLowerCase() ?? null, type ?? null, limit ?? 100],
    );
    return rows.map(toAuditEventView);
  }
}
