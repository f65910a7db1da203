import { stream } from './api.js';
import { arrowDefs, h, put, s } from './dom.js';
// The server's own declaration of what the stream sends: the page cannot drift from it.
import type { SystemSnapshot } from '../src/ui/ui.views.js';

/** Where each service sits in the drawing: commands on the left half, events on the right. */
const NODES: Record<string, { x: number; y: number }> = {
  orchestrator: { x: 20, y: 150 },
  accounts: { x: 250, y: 20 },
  ledger: { x: 250, y: 100 },
  auth: { x: 250, y: 180 },
  notifications: { x: 520, y: 60 },
  audit: { x: 520, y: 160 },
  analytics: { x: 520, y: 260 },
};
const W = 170;
const H = 56;

function topology(snap: SystemSnapshot): SVGElement {
  const service = (name: string) => snap.services.find((x) => x.name === name);
  const sub = (name: string) => snap.subscribers.find((x) => x.name === name);
  const mid = (name: string) => ({ x: NODES[name].x, y: NODES[name].y + H / 2 });
  const command = (to: string) => {
    const a = { x: NODES.orchestrator.x + W, y: NODES.orchestrator.y + H / 2 };
    const b = mid(to);
    return s('path', {
      d: `M${a.x},${a.y} C${a.x + 40},${a.y} ${b.x - 40},${b.y} ${b.x - 4},${b.y}`,
      class: 'command',
      'marker-end': 'url(#topo-arrow)',
    });
  };
  const exchange = { x: 470, y: 290 };
  const fan = (to: string) => {
    const b = mid(to);
    return s('path', {
      d: `M${exchange.x},${exchange.y} C${exchange.x + 20},${exchange.y} ${b.x - 30},${b.y} ${b.x - 4},${b.y}`,
      class: 'fan',
      'marker-end': 'url(#topo-arrow-event)',
    });
  };
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
  return s(
    'svg',
    {
      viewBox: '0 0 700 350',
      class: 'drawing topology',
      role: 'img',
      'aria-label': 'The seven services: commands from the orchestrator, events to the subscribers',
    },
    arrowDefs('topo'),
    command('accounts'),
    command('ledger'),
    command('auth'),
    s('path', {
      d: `M${NODES.orchestrator.x + W / 2},${NODES.orchestrator.y + H} C${NODES.orchestrator.x + W / 2},${exchange.y} 300,${exchange.y} ${exchange.x - 8},${exchange.y}`,
      class: 'fan',
      'marker-end': 'url(#topo-arrow-event)',
    }),
    s('circle', { cx: exchange.x, cy: exchange.y, r: 7, class: 'exchange' }),
    s('text', { x: exchange.x - 30, y: exchange.y + 24, class: 'node-facts' }, 'bank.events'),
    fan('notifications'),
    fan('audit'),
    fan('analytics'),
    ...Object.keys(NODES).map(node),
    s('text', { x: 20, y: 340, class: 'legend' }, '━ command (orchestration: the caller waits)   ┄ event (choreography: nobody waits)'),
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
export function systemView(root: HTMLElement, aside: HTMLElement | null): void {
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
        h('section', { class: 'card' }, topology(snap)),
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
