import type { TransferRepository } from './transfer.repository.js';
import { TransferReads } from './transfer-reads.service.js';
import type { TransferTimelineService } from './transfer-timeline.service.js';
import type { TransferRow } from './transfer.row.js';

describe('TransferReads', () => {
  const row = {
    id: 't1',
    customer_id: 'sender',
    to_customer_id: 'receiver',
    from_account_id: 'a1',
    to_account_id: 'a2',
    amount: '100',
    currency: 'EUR',
    reference: null,
    status: 'COMPLETED',
    failure_code: null,
    steps: [],
    created_at: new Date('2026-01-01T00:00:00Z'),
    completed_at: null,
  } as unknown as TransferRow;
  const reads = new TransferReads(
    { findById: (id: string) => Promise.resolve(id === row.id ? row : undefined) } as TransferRepository,
    { build: () => Promise.resolve({ entries: [], complete: true }) } as unknown as TransferTimelineService,
  );

  it('shows a transfer to the owners of either account', async () => {
    await expect(reads.visible('t1', 'sender')).resolves.toBe(row);
    await expect(reads.visible('t1', 'receiver')).resolves.toBe(row);
    await expect(reads.withTimeline('t1', 'receiver')).resolves.toMatchObject({ id: 't1', amount: 100, timeline: { complete: true } });
  });

  it("answers TRANSFER_NOT_FOUND for someone else's transfer as for one that does not exist", async () => {
    await expect(reads.visible('t1', 'stranger')).rejects.toMatchObject({ code: 'TRANSFER_NOT_FOUND' });
    await expect(reads.withTimeline('t2', 'sender')).rejects.toMatchObject({ code: 'TRANSFER_NOT_FOUND' });
  });
});
