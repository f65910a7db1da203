import { stream } from './api.js';
import { arrowDefs, h, put, s } from './dom.js';
// The server's own declaration of what the stream sends: the page cannot drift from it.
import type { SystemSnapshot, SystemTopology, TopologyEdge } from '../src/ui/ui.views.js';

/** Where each service sits: the orchestrator left, the services it commands in the middle, the subscribers right. */
const NODES: Record<string, { x: number; y: number }> = {
  orchestrator: { x: 20, y: 200 },
  accounts: { x: 280, y: 50 },
  ledger: { x: 280, y: 135 },
  auth: { x: 280, y: 220 },
  notifications: { x: 570, y: 50 },
  audit: { x: 570, y: 175 },
  analytics: { x: 570, y: 300 },
};
const W = 170;
const H = 56;
const EXCHANGE = { x: 510, y: 340 };

/** A command's path: side by side, one above the other, or over the top to a column further away. */
function commandPath(from: { x: number; y: number }, to: { x: number; y: number }): string {
  if (from.x === to.x) {
    const x = from.x + W - 24;
    return from.y > to.y ? `M${x},${from.y} L${x},${to.y + H + 4}` : `M${x},${from.y + H} L${x},${to.y - 4}`;
  }
  if (Math.abs(to.x - from.x) < 2 * W + 100) {
    const a = { x: from.x + W, y: from.y + H / 2 };
    const b = { x: to.x - 4, y: to.y + H / 2 };
    return `M${a.x},${a.y} C${a.x + 40},${a.y} ${b.x - 40},${b.y} ${b.x},${b.y}`;
  }
  const a = { x: from.x + W / 2, y: from.y };
  const b = { x: to.x + W / 2, y: to.y - 4 };
  return `M${a.x},${a.y} C${a.x},-20 ${b.x},-20 ${b.x},${b.y}`;
}

/** An event's path: from its producer into the exchange, and out to the subscriber. */
function eventPath(from: { x: number; y: number }, to: { x: number; y: number }): string {
  const into =
    from.x < EXCHANGE.x - W - 100
      ? `M${from.x + W / 2},${from.y + H} C${from.x + W / 2},${EXCHANGE.y + 30} ${EXCHANGE.x - 120},${EXCHANGE.y} ${EXCHANGE.x},${EXCHANGE.y}`
      : `M${from.x + W},${from.y + H / 2} C${EXCHANGE.x - 20},${from.y + H / 2} ${EXCHANGE.x},${EXCHANGE.y - 60} ${EXCHANGE.x},${EXCHANGE.y}`;
  const b = { x: to.x - 4, y: to.y + H / 2 };
  return `${into} C${EXCHANGE.x + 30},${EXCHANGE.y} ${b.x - 30},${b.y} ${b.x},${b.y}`;
}

function topology(snap: SystemSnapshot, arrows: SystemTopology): SVGElement {
  const service = (name: string) => snap.services.find((x) => x.name === name);
  const sub = (name: string) => snap.subscribers.find((x) => x.name === name);
  const drawn = (e: TopologyEdge) => NODES[e.from] !== undefined && NODES[e.to] !== undefined;
  const edge = (kind: 'command' | 'event', e: TopologyEdge) =>
    s(
      'g',
      { class: `edge ${kind}`, [`data-${kind}-from`]: e.from, [`data-${kind}-to`]: e.to },
      s('title', {}, `${e.from} → ${e.to}: ${e.carries.join(', ')}`),
      s('path', {
        d: kind === 'command' ? commandPath(NODES[e.from], NODES[e.to]) : eventPath(NODES[e.from], NODES[e.to]),
        class: kind === 'command' ? 'command' : 'fan',
        'marker-end': `url(#topo-${kind === 'command' ? 'arrow' : 'arrow-event'})`,
      }),
    );
  const node = (name: string) => {
    const st = service(name);
    const sb = sub(name);
    const facts = sb
      ? `${sb.paused ? 'paused · ' : ''}queue ${sb.queued} · retry ${sb.retrying} · dlq ${sb.deadLettered}`
      : name === 'orchestrator'
        ? `${snap.transfersPerSecond} transfers/s`
        : name === 'ledger' && snap.ledgerRefusesNext
          ? `refuses next ${snap.ledgerRefusesNext}`
          : st?.healthy
            ? 'healthy'
            : 'not healthy';
    const { x, y } = NODES[name];
    return s(
      'g',
      {
        class: `service ${st?.healthy ? 'ok' : 'down'}${sb?.paused ? ' paused' : ''}${sb?.deadLettered ? ' dead' : ''}`,
        'data-service': name,
        'data-healthy': String(st?.healthy ?? false),
      },
      s('title', {}, `${name}: ${st?.healthy ? 'healthy' : (st?.problem ?? 'unknown')}`),
      s('rect', { x, y, width: W, height: H, rx: 8, class: 'node' }),
      s('circle', { cx: x + 14, cy: y + 18, r: 5, class: 'dot' }),
      s('text', { x: x + 26, y: y + 22, class: 'node-title' }, name, st?.delayMs ? ` (+${st.delayMs} ms)` : ''),
      s('text', { x: x + 12, y: y + 42, class: 'node-facts' }, facts),
    );
  };
  const commands = arrows.commands.filter(drawn);
  const events = arrows.events.filter(drawn);
  return s(
    'svg',
    {
      viewBox: '0 0 760 420',
      class: 'drawing topology',
      role: 'img',
      'aria-label':
        `The seven services. Commands: ${commands.map((e) => `${e.from} to ${e.to}`).join(', ')}. ` +
        `Events through bank.events: ${events.map((e) => `${e.from} to ${e.to}`).join(', ')}`,
    },
    arrowDefs('topo'),
    ...events.map((e) => edge('event', e)),
    ...commands.map((e) => edge('command', e)),
    s('circle', { cx: EXCHANGE.x, cy: EXCHANGE.y, r: 7, class: 'exchange' }),
    s('text', { x: EXCHANGE.x - 34, y: EXCHANGE.y + 24, class: 'node-facts' }, 'bank.events'),
    ...Object.keys(NODES).map(node),
    s('text', { x: 20, y: 410, class: 'legend' }, '━ command (orchestration: the caller waits)   ┄ event (choreography: nobody waits)'),
  );
}

function sparkline(points: number[]): SVGElement {
  const max = Math.max(1, ...points);
  const step = 200 / Math.max(1, points.length - 1);
  const d = points.map((p, i) => `${(i * step).toFixed(1)},${(38 - (p / max) * 34).toFixed(1)}`).join(' ');
  return s(
    'svg',
    {
      viewBox: '0 0 200 40',
      class: 'spark',
      role: 'img',
      'aria-label': `transfers per second over the last ${points.length} s, at most ${max}`,
    },
    s('polyline', { points: d, class: 'spark-line' }),
  );
}

/** /ui/system: the seven services, live from their own /health and /metrics (one poller on the server). */
export function systemView(root: HTMLElement, aside: HTMLElement | null, arrows: SystemTopology): void {
  const live = h('span', { class: 'live' }, 'connecting…');
  const body = h('div', {}, h('p', {}, 'Waiting for the first sample…'));
  const history: number[] = [];
  put(root, h('div', { class: 'system' }, h('div', { class: 'transfer-head' }, h('h2', {}, 'The system'), live), body), aside);
  stream<SystemSnapshot>(
    '/ui/api/system/stream',
    (snap) => {
      history.push(snap.transfersPerSecond);
      if (history.length > 60) history.shift();
      const outcomes = ['COMPLETED', 'FAILED', 'NEEDS_ATTENTION'];
      put(
        body,
        h('section', { class: 'card' }, topology(snap, arrows)),
        h(
          'div',
          { class: 'numbers' },
          h(
            'section',
            { class: 'card stat' },
            h('h3', {}, 'Transfers per second'),
            h('p', { class: 'big', 'data-testid': 'tps' }, String(snap.transfersPerSecond)),
            sparkline(history),
          ),
          h(
            'section',
            { class: 'card stat' },
            h('h3', {}, 'Saga outcomes'),
            h(
              'dl',
              { class: 'kv' },
              ...outcomes.flatMap((o) => [h('dt', {}, o), h('dd', { 'data-outcome': o }, String(snap.outcomes[o] ?? 0))]),
            ),
            h('p', { class: 'hint' }, 'Since this orchestrator started.'),
          ),
          h(
            'section',
            { class: 'card stat' },
            h('h3', {}, 'Outbox backlog'),
            h(
              'dl',
              { class: 'kv' },
              ...Object.entries(snap.outboxBacklog).flatMap(([name, n]) => [h('dt', {}, name), h('dd', {}, String(n))]),
            ),
            h('p', { class: 'hint' }, 'Events committed but not yet confirmed by the broker.'),
          ),
        ),
        h(
          'section',
          { class: 'card' },
          h('h3', {}, 'Subscribers'),
          h(
            'div',
            { class: 'scroll' },
            h(
              'table',
              { class: 'subs' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...['subscriber', 'state', 'in queue', 'in retry', 'dead-lettered', 'applied'].map((c) => h('th', { scope: 'col' }, c)),
                ),
              ),
              h(
                'tbody',
                {},
                ...snap.subscribers.map((x) =>
                  h(
                    'tr',
                    { 'data-subscriber': x.name },
                    h('th', { scope: 'row' }, x.name),
                    h('td', {}, x.paused ? 'paused' : 'consuming'),
                    h('td', { class: 'num' }, String(x.queued)),
                    h('td', { class: 'num' }, String(x.retrying)),
                    h('td', { class: `num${x.deadLettered ? ' alert' : ''}` }, String(x.deadLettered)),
                    h('td', { class: 'num' }, String(x.applied)),
                  ),
                ),
              ),
            ),
          ),
        ),
        h(
          'section',
          { class: 'card' },
          h('h3', {}, 'Health'),
          h(
            'ul',
            { class: 'health' },
            ...snap.services.map((x) =>
              h(
                'li',
                { class: x.healthy ? 'ok' : 'down', 'data-service': x.name },
                h('span', { class: 'dot', 'aria-hidden': 'true' }),
                ` ${x.name}: ${x.healthy ? 'healthy' : (x.problem ?? 'not healthy')}`,
              ),
            ),
          ),
        ),
      );
    },
    { onLive: (on) => put(live, on ? 'live' : 'reconnecting…') },
  );
}
