import { ApiError, money, session, stream } from './api.js';
import { arrowDefs, h, ms, put, s, shortId } from './dom.js';
// The server's own declarations of what the stream sends: the page cannot drift from them.
import type { StepRecord } from '../src/transfers/transfer.view.js';
import type { SubscriberLane, TransferLive } from '../src/ui/ui.views.js';

/** One saga step as a call: from its STARTED record to its outcome, with the retries in between. */
export interface Call {
  name: string;
  target: 'accounts' | 'ledger';
  start: number;
  end?: number;
  retries: number;
  outcome?: 'SUCCEEDED' | 'FAILED';
  code?: string;
  compensation: boolean;
}

const TARGET: Record<string, 'accounts' | 'ledger'> = {
  RESERVE_FUNDS: 'accounts',
  COMMIT_FUNDS: 'accounts',
  RELEASE_FUNDS: 'accounts',
  POST_LEDGER: 'ledger',
  REVERSE_LEDGER: 'ledger',
};
const COMPENSATIONS = new Set(['REVERSE_LEDGER', 'RELEASE_FUNDS']);

export function callsOf(steps: StepRecord[]): Call[] {
  const calls: Call[] = [];
  const open = new Map<string, Call>();
  for (const record of steps) {
    const at = Date.parse(record.at);
    let call = open.get(record.name);
    if (!call) {
      call = {
        name: record.name,
        target: TARGET[record.name] ?? 'accounts',
        start: at,
        retries: 0,
        compensation: COMPENSATIONS.has(record.name),
      };
      calls.push(call);
      open.set(record.name, call);
    }
    if (record.status === 'RETRYING') call.retries += 1;
    if (record.status === 'SUCCEEDED' || record.status === 'FAILED') {
      call.end = at;
      call.outcome = record.status;
      if (record.code) call.code = record.code;
      open.delete(record.name);
    }
  }
  return calls;
}

const LANES = { orchestrator: 60, accounts: 230, ledger: 390 };

function sagaDrawing(live: TransferLive): SVGElement {
  const calls = callsOf(live.transfer.steps);
  const row = 64;
  const top = 50;
  const height = top + Math.max(calls.length, 1) * row + 20;
  const longest = Math.max(1, ...calls.map((c) => (c.end ?? Date.now()) - c.start));
  const lane = (name: keyof typeof LANES, x: number) => [
    s('text', { x, y: 22, class: 'lane-title', 'text-anchor': 'middle' }, name),
    s('line', { x1: x, y1: 32, x2: x, y2: height - 8, class: 'lifeline' }),
  ];
  const rows = calls.map((call, i) => {
    const y = top + i * row;
    const x2 = LANES[call.target];
    const duration = call.end !== undefined ? call.end - call.start : undefined;
    const bar = Math.max(4, Math.round(((duration ?? Date.now() - call.start) / longest) * 28));
    const cls = [
      'call',
      call.compensation ? 'compensation' : '',
      call.outcome === 'FAILED' ? 'failed' : '',
      call.end === undefined ? 'running' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const facts = [
      duration !== undefined ? ms(duration) : 'waiting…',
      call.retries ? `${call.retries} ${call.retries === 1 ? 'retry' : 'retries'}` : '',
      call.outcome === 'FAILED' ? `refused ${call.code ?? ''}`.trim() : '',
    ]
      .filter(Boolean)
      .join(' · ');
    return s(
      'g',
      { class: cls, 'data-step': call.name, 'data-outcome': call.outcome ?? 'running', 'data-duration-ms': duration },
      s('title', {}, `${call.name}: orchestrator → ${call.target}, ${facts}${call.compensation ? ' (compensation)' : ''}`),
      s('text', { x: LANES.orchestrator + 10, y: y - 6, class: 'call-name' }, `${i + 1}. ${call.compensation ? '↩ ' : ''}${call.name}`),
      s('line', {
        x1: LANES.orchestrator,
        y1: y,
        x2: x2 - 6,
        y2: y,
        class: 'request',
        'marker-end': `url(#saga-${call.compensation ? 'arrow-comp' : 'arrow'})`,
      }),
      s('rect', { x: x2 - 5, y, width: 10, height: bar, rx: 2, class: 'activation' }),
      call.end !== undefined
        ? s('line', {
            x1: x2 - 6,
            y1: y + bar,
            x2: LANES.orchestrator + 4,
            y2: y + bar,
            class: 'reply',
            'marker-end': `url(#saga-${call.compensation ? 'arrow-comp' : 'arrow'})`,
          })
        : null,
      s('text', { x: x2 + 12, y: y + 12, class: 'call-facts' }, facts),
    );
  });
  return s(
    'svg',
    {
      viewBox: `0 0 640 ${height}`,
      class: 'drawing saga',
      role: 'img',
      'aria-label': `Saga: ${calls.map((c) => `${c.name} ${c.outcome ?? 'running'}`).join(', ')}`,
    },
    arrowDefs('saga'),
    lane('orchestrator', LANES.orchestrator),
    lane('accounts', LANES.accounts),
    lane('ledger', LANES.ledger),
    ...rows,
    calls.length === 0 ? s('text', { x: 20, y: top, class: 'call-facts' }, 'No step yet') : null,
  );
}

function laneText(lane: SubscriberLane, committedAt: number | undefined): string {
  switch (lane.state) {
    case 'handled':
      return committedAt !== undefined && lane.handledAt
        ? `handled ${ms(Math.max(0, Date.parse(lane.handledAt) - committedAt))} after the commit`
        : 'handled';
    case 'older-than-retention':
      return 'handled (inbox pruned)';
    case 'no-event':
      return 'no event yet';
    case 'unanswered':
      return 'did not answer in time';
    case 'retrying':
    case 'parked':
      return failureText(lane);
    case 'waiting': {
      const where = [
        lane.paused ? 'paused' : '',
        lane.queued ? `${lane.queued} in queue` : '',
        lane.retrying ? `${lane.retrying} in retry` : '',
        lane.deadLettered ? `${lane.deadLettered} dead-lettered` : '',
      ].filter(Boolean);
      return `waiting${where.length ? ` · ${where.join(' · ')}` : ''}`;
    }
  }
}

/** Where this event sits after the subscriber failed on it, with the failure's code (never its message). */
export function failureText(lane: Pick<SubscriberLane, 'state' | 'attempts' | 'errorCode' | 'reason'>): string {
  const code = lane.errorCode ? ` · ${lane.errorCode}` : '';
  if (lane.state === 'parked') return `parked in the dead-letter queue${lane.reason ? ` · ${lane.reason}` : code}`;
  return `in retry queue${lane.attempts !== undefined ? ` (attempt ${lane.attempts})` : ''}${code}`;
}

/** 1 is the first delivery; more means the subscriber failed on it and got it again from a retry queue or the broker. */
export function attemptsText(attempts: number): string {
  return attempts === 1 ? 'first attempt' : `after ${attempts} attempts`;
}

function eventDrawing(live: TransferLive): SVGElement {
  const event = live.event;
  const published = event?.publishedAt ? Date.parse(event.publishedAt) : undefined;
  const outboxText = !event
    ? live.transfer.status === 'PENDING'
      ? 'written when the saga ends'
      : 'no event (needs attention)'
    : published !== undefined
      ? `published ${ms(Math.max(0, published - Date.parse(event.writtenAt)))} after commit`
      : `in the outbox${event.attempts ? `, ${event.attempts} attempts` : ''}`;
  const ys = [50, 130, 210];
  const lanes = live.subscribers.map((lane, i) => {
    const y = ys[i] ?? 50 + i * 80;
    const failing = lane.state === 'retrying' || lane.state === 'parked';
    return s(
      'g',
      {
        class: `subscriber ${lane.state}${lane.paused ? ' paused' : ''}${lane.deadLettered ? ' dead' : ''}`,
        'data-subscriber': lane.name,
        'data-state': lane.state,
        // Retrying or parked: this event's failed attempts so far and the last failure's code.
        'data-failed-attempts': failing ? lane.attempts : undefined,
        'data-error-code': failing ? lane.errorCode : undefined,
      },
      s('path', { d: `M272,130 C315,130 315,${y} 360,${y}`, class: 'fan', 'marker-end': 'url(#event-arrow-event)' }),
      s('rect', { x: 365, y: y - 28, width: 268, height: 56, rx: 8, class: 'node' }),
      s('text', { x: 378, y: y - 6, class: 'node-title' }, lane.name),
      lane.attempts !== undefined && !failing
        ? s(
            'text',
            {
              x: 622,
              y: y - 6,
              class: `node-facts attempts${lane.attempts > 1 ? ' retried' : ''}`,
              'text-anchor': 'end',
              'data-attempts': lane.attempts,
            },
            attemptsText(lane.attempts),
          )
        : null,
      s('text', { x: 378, y: y + 14, class: 'node-facts' }, laneText(lane, event ? Date.parse(event.writtenAt) : undefined)),
    );
  });
  return s(
    'svg',
    {
      viewBox: '0 0 640 260',
      class: 'drawing events',
      role: 'img',
      'aria-label': `Event ${event?.type ?? 'not yet'}: ${live.subscribers.map((l) => `${l.name} ${l.state}`).join(', ')}`,
    },
    arrowDefs('event'),
    s(
      'g',
      { class: `outbox ${event?.publishedAt ? 'published' : 'waiting'}` },
      s('rect', { x: 10, y: 95, width: 222, height: 70, rx: 8, class: 'node' }),
      s('text', { x: 22, y: 118, class: 'node-title' }, 'orchestrator outbox'),
      s('text', { x: 22, y: 137, class: 'node-facts' }, event?.type ?? '—'),
      s('text', { x: 22, y: 154, class: 'node-facts' }, outboxText),
    ),
    s('path', { d: 'M232,130 L258,130', class: 'fan', 'marker-end': 'url(#event-arrow-event)' }),
    s('circle', { cx: 266, cy: 130, r: 6, class: 'exchange' }),
    s('text', { x: 240, y: 112, class: 'node-facts' }, 'bank.events'),
    ...lanes,
  );
}

function timelineList(live: TransferLive): HTMLElement {
  const start = Date.parse(live.transfer.createdAt);
  return h(
    'ol',
    { class: 'timeline' },
    ...live.timeline.entries.map((e) =>
      h(
        'li',
        { class: e.source === 'saga' ? 'orchestrated' : 'choreographed' },
        h('span', { class: 'offset' }, `+${ms(Math.max(0, Date.parse(e.at) - start))}`),
        ' ',
        h('span', { class: 'source' }, e.source),
        ' ',
        e.what,
        e.attempts !== undefined && e.attempts > 1 ? ` (${attemptsText(e.attempts)})` : '',
      ),
    ),
  );
}

/** /ui/transfers/:id: the saga's calls next to its event's fan-out, live until settled. */
export function transferView(root: HTMLElement, id: string, aside: HTMLElement | null): void {
  if (!session.token) {
    put(
      root,
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Transfer'),
        h('p', {}, 'Log in on ', h('a', { href: '/ui/' }, 'Try it'), ' to follow your transfers.'),
      ),
    );
    return;
  }
  const live = h('span', { class: 'live', 'data-testid': 'live' }, 'connecting…');
  const body = h('div', { class: 'transfer-body' }, h('p', {}, 'Loading…'));
  let last: TransferLive | undefined;
  put(
    root,
    h('div', { class: 'transfer' }, h('div', { class: 'transfer-head' }, h('h2', {}, 'Transfer ', h('code', {}, shortId(id))), live), body),
    aside,
  );

  const copyStatus = h('span', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const render = (t: TransferLive) => {
    const statusClass = t.transfer.status.toLowerCase().replace('_', '-');
    const correlation = h('code', { class: 'correlation', 'data-testid': 'correlation-id', tabindex: 0 }, t.correlationId);
    const copy = h(
      'button',
      {
        type: 'button',
        class: 'small',
        onclick: () => {
          navigator.clipboard
            .writeText(t.correlationId)
            .then(() => put(copyStatus, 'Copied'))
            .catch(() => {
              // No clipboard permission: select the text so Ctrl+C copies it.
              getSelection()?.selectAllChildren(correlation);
              put(copyStatus, 'Selected: press Ctrl+C');
            });
        },
      },
      'Copy',
    );
    put(
      body,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Status'),
        h(
          'dd',
          {},
          h('span', { class: `badge ${statusClass}`, 'data-testid': 'transfer-status' }, t.transfer.status),
          t.transfer.failureCode ? ` ${t.transfer.failureCode}` : '',
        ),
        h('dt', {}, 'Amount'),
        h('dd', {}, money(t.transfer.amount, t.transfer.currency), t.transfer.reference ? ` · ${t.transfer.reference}` : ''),
        h('dt', {}, 'From → to'),
        h('dd', {}, h('code', {}, shortId(t.transfer.fromAccountId)), ' → ', h('code', {}, shortId(t.transfer.toAccountId))),
        h('dt', {}, 'Correlation id'),
        h('dd', {}, correlation, ' ', copy, ' ', copyStatus),
        ...traceFacts(t.timeline),
      ),
      h(
        'div',
        { class: 'halves' },
        h(
          'section',
          { class: 'card half', 'aria-labelledby': 'orch-title' },
          h('h3', { id: 'orch-title' }, 'Orchestration: the saga calls and waits'),
          h(
            'p',
            { class: 'hint' },
            'Each step is a command from the orchestrator to accounts or ledger; the next one starts only after the answer. Compensations (↩) undo, in order.',
          ),
          sagaDrawing(t),
        ),
        h(
          'section',
          { class: 'card half', 'aria-labelledby': 'chor-title' },
          h('h3', { id: 'chor-title' }, 'Choreography: one event, each subscriber on its own time'),
          h(
            'p',
            { class: 'hint' },
            'The final state writes one event to the outbox with the saga row; the relay publishes it and every subscriber handles it when it can. Nobody waits for them.',
          ),
          eventDrawing(t),
        ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'tl-title' },
        h('h3', { id: 'tl-title' }, 'Timeline (GET /transfers/:id)'),
        timelineList(t),
        t.timeline.complete ? null : h('p', { class: 'hint' }, 'A subscriber did not answer in time: its part is missing, not empty.'),
      ),
    );
  };

  stream<TransferLive>(
    `/ui/api/transfers/${id}/stream`,
    (t) => {
      last = t;
      render(t);
      if (t.settled) put(live, 'settled');
    },
    {
      finished: () => last?.settled ?? false,
      onLive: (on) => {
        if (!last?.settled) put(live, on ? 'live' : 'reconnecting…');
      },
      onError: (error: ApiError) =>
        put(
          body,
          h(
            'p',
            { class: 'status' },
            error.problem.status === 404 ? 'No such transfer (or not yours).' : `Could not follow it: ${error.message}`,
          ),
        ),
    },
  );
}

/** The transfer's trace, when tracing sampled it: its id, linked to the trace UI when one is configured. */
function traceFacts(timeline: TransferLive['timeline']): Node[] {
  if (!timeline.traceId) return [];
  const id = h('code', { 'data-testid': 'trace-id' }, timeline.traceId);
  const link = timeline.traceUrl
    ? h('a', { href: timeline.traceUrl, target: '_blank', rel: 'noopener noreferrer' }, 'open the trace')
    : undefined;
  return [h('dt', {}, 'Trace'), h('dd', {}, id, ...(link ? [' ', link] : []))];
}
