import { parseMetrics, sumOf } from './internal-http.js';

describe('parseMetrics (what /ui/system reads of each /metrics)', () => {
  const text = [
    '# HELP saga_transfers_finished_total Transfers reaching a final state',
    '# TYPE saga_transfers_finished_total counter',
    'saga_transfers_finished_total{status="COMPLETED",failure_code=""} 12',
    'saga_transfers_finished_total{status="FAILED",failure_code="INJECTED_REFUSAL"} 2',
    'event_queue_messages{subscriber="audit",queue="main"} 3',
    'event_queue_messages{subscriber="audit",queue="retry.1s"} 1',
    'event_queue_messages{subscriber="audit",queue="dlq"} 0',
    'outbox_backlog 4',
    'weird{label="a \\"quoted\\" value"} 1',
    'not_a_number NaN',
    '',
  ].join('\n');

  it('reads names, labels and values; skips comments and non-numbers', () => {
    const samples = parseMetrics(text);
    expect(samples).toContainEqual({
      name: 'saga_transfers_finished_total',
      labels: { status: 'FAILED', failure_code: 'INJECTED_REFUSAL' },
      value: 2,
    });
    expect(samples).toContainEqual({ name: 'outbox_backlog', labels: {}, value: 4 });
    expect(samples).toContainEqual({ name: 'weird', labels: { label: 'a "quoted" value' }, value: 1 });
    expect(samples.some((s) => s.name === 'not_a_number')).toBe(false);
  });

  it('sums a metric over the labels asked for', () => {
    const samples = parseMetrics(text);
    expect(sumOf(samples, 'saga_transfers_finished_total')).toBe(14);
    expect(sumOf(samples, 'event_queue_messages', (l) => l.queue.startsWith('retry'))).toBe(1);
    expect(sumOf(samples, 'missing')).toBe(0);
  });
});
