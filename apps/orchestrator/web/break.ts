import { api, ApiError } from './api.js';
import { h, put, submit } from './dom.js';

interface FaultState {
  paused: boolean;
  refuseNext: number;
  delayMs: number;
}
type Faults = Partial<Record<string, FaultState>>;

const SUBSCRIBERS = ['notifications', 'audit', 'analytics'];
const SLOWABLE = ['accounts', 'ledger', 'notifications', 'audit', 'analytics'];

/**
 * "Break it" (development only): each control says what to watch and which trade-off of the seed
 * note it shows. The orchestrator forwards each control over mTLS to the one app it concerns.
 */
export function breakPanel(): HTMLElement {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const pauseButtons = new Map<string, HTMLButtonElement>();
  const refuseLeft = h('span', { 'data-testid': 'refuse-left' }, '0');
  const slowNow = h('span', { 'data-testid': 'slowed-now' }, 'none');
  const failingNow = h('span', { 'data-testid': 'failing-now' }, 'none');
  let faults: Faults = {};

  const render = () => {
    for (const [name, button] of pauseButtons) {
      const paused = faults[name]?.paused ?? false;
      button.setAttribute('aria-pressed', String(paused));
      button.textContent = paused ? `Resume ${name}` : `Pause ${name}`;
    }
    put(refuseLeft, String(faults.ledger?.refuseNext ?? 0));
    const slow = SLOWABLE.filter((name) => (faults[name]?.delayMs ?? 0) > 0).map((name) => `${name} +${faults[name]?.delayMs} ms`);
    put(slowNow, slow.length ? slow.join(', ') : 'none');
    const failing = SUBSCRIBERS.filter((name) => (faults[name]?.refuseNext ?? 0) > 0).map((name) => `${name} ${faults[name]?.refuseNext}`);
    put(failingNow, failing.length ? failing.join(', ') : 'none');
  };

  const set = async (app: string, patch: Partial<FaultState>, said: string) => {
    try {
      faults = { ...faults, [app]: await api<FaultState>('POST', `/ui/api/dev/faults/${app}`, patch) };
      put(status, said);
      render();
    } catch (error) {
      put(status, `Could not change ${app}: ${error instanceof ApiError ? error.message : String(error)}`);
    }
  };

  for (const name of SUBSCRIBERS) {
    pauseButtons.set(
      name,
      h(
        'button',
        {
          type: 'button',
          'aria-pressed': 'false',
          'data-testid': `pause-${name}`,
          onclick: () =>
            void set(name, { paused: !(faults[name]?.paused ?? false) }, `${name}: ${faults[name]?.paused ? 'resumed' : 'paused'}`),
        },
        `Pause ${name}`,
      ),
    );
  }

  const refuseCount = h('input', { type: 'number', min: 1, max: 100, value: 1, id: 'refuse-count', inputmode: 'numeric' });
  const refuseForm = h(
    'form',
    {
      onsubmit: submit(() => {
        const n = Number(refuseCount.value);
        void set('ledger', { refuseNext: n }, `The ledger refuses the next ${n} posting${n === 1 ? '' : 's'}`);
      }),
    },
    h('label', { for: 'refuse-count' }, 'Postings'),
    refuseCount,
    h('button', { type: 'submit', 'data-testid': 'refuse-postings' }, 'Make the ledger refuse them'),
  );

  const failApp = h('select', { id: 'fail-app' }, ...SUBSCRIBERS.map((name) => h('option', { value: name }, name)));
  const failCount = h('input', { type: 'number', min: 0, max: 100, value: 1, id: 'fail-count', inputmode: 'numeric' });
  const failForm = h(
    'form',
    {
      onsubmit: submit(() => {
        const n = Number(failCount.value);
        void set(
          failApp.value,
          { refuseNext: n },
          `${failApp.value} fails the next ${n} event${n === 1 ? '' : 's'} (each to its retry queue)`,
        );
      }),
    },
    h('label', { for: 'fail-app' }, 'Subscriber'),
    failApp,
    h('label', { for: 'fail-count' }, 'Events'),
    failCount,
    h('button', { type: 'submit', 'data-testid': 'fail-events' }, 'Make it fail them'),
  );

  const slowApp = h('select', { id: 'slow-app' }, ...SLOWABLE.map((name) => h('option', { value: name }, name)));
  const slowMs = h('input', { type: 'number', min: 0, max: 10000, step: 100, value: 500, id: 'slow-ms', inputmode: 'numeric' });
  const slowForm = h(
    'form',
    {
      onsubmit: submit(() => {
        const delayMs = Number(slowMs.value);
        void set(
          slowApp.value,
          { delayMs },
          delayMs
            ? `${slowApp.value} now waits ${delayMs} ms before each command or batch of events`
            : `${slowApp.value} back to normal speed`,
        );
      }),
    },
    h('label', { for: 'slow-app' }, 'Service'),
    slowApp,
    h('label', { for: 'slow-ms' }, 'Delay (ms, 0 = normal)'),
    slowMs,
    h('button', { type: 'submit', 'data-testid': 'slow-service' }, 'Apply'),
  );

  void api<Faults>('GET', '/ui/api/dev/faults')
    .then((now) => {
      faults = now;
      render();
    })
    .catch(() => undefined);

  return h(
    'section',
    { class: 'card break', 'aria-labelledby': 'break-title' },
    h('h2', { id: 'break-title' }, 'Break it'),
    h('p', { class: 'hint' }, 'Development only. Each control changes one service; open a transfer or the system page to watch.'),
    h(
      'div',
      { class: 'control' },
      h('h3', {}, 'Pause a subscriber'),
      h('div', { class: 'buttons' }, ...pauseButtons.values()),
      h(
        'p',
        { class: 'why' },
        "Watch a transfer complete while the paused subscriber's lane waits and its queue grows, then catch up when resumed: a slow subscriber delays only itself (choreography: loosely coupled, robust).",
      ),
    ),
    h(
      'div',
      { class: 'control' },
      h('h3', {}, 'Make the ledger refuse the next postings'),
      refuseForm,
      h('p', {}, 'Still to refuse: ', refuseLeft),
      h(
        'p',
        { class: 'why' },
        'Watch the next transfer fail at POST_LEDGER and the saga compensate in order (reverse the ledger, release the hold): a failing step makes the saga compensate, and the saga row says exactly how far it got.',
      ),
    ),
    h(
      'div',
      { class: 'control' },
      h('h3', {}, 'Make a subscriber fail its next events'),
      failForm,
      h('p', {}, 'Still to fail: ', failingNow),
      h(
        'p',
        { class: 'why' },
        "Watch the transfer complete while that subscriber's lane shows the event in its retry queue, then handled a retry delay later, after 2 attempts: a subscriber's failure stays its own, the event waits safely in its queue, and nobody else waits for it (choreography).",
      ),
    ),
    h(
      'div',
      { class: 'control' },
      h('h3', {}, 'Slow a service down'),
      slowForm,
      h('p', {}, 'Slowed now: ', slowNow),
      h(
        'p',
        { class: 'why' },
        'Slow accounts or ledger and every transfer takes longer, since the saga waits on each call (orchestration: tight coupling); slow a subscriber and only its lane lags. The orchestrator is the one place that knows where every transfer is.',
      ),
    ),
    status,
  );
}
