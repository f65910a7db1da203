import { api, ApiError, money, newKey, parseMinor, session } from './api.js';
import { h, put, shortId, submit } from './dom.js';

interface Account {
  id: string;
  currency: string;
  balance: number;
  availableBalance: number;
}
interface Sms {
  body: string;
  sentAt: string;
}
interface TransferAnswer {
  id: string;
  status: string;
}

const RECENT = 'bank.recentTransfers';

function randomPhone(): string {
  return `+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

export function recentTransfers(): { id: string; label: string }[] {
  return JSON.parse(sessionStorage.getItem(RECENT) ?? '[]') as { id: string; label: string }[];
}

function remember(id: string, label: string): void {
  sessionStorage.setItem(RECENT, JSON.stringify([{ id, label }, ...recentTransfers().filter((t) => t.id !== id)].slice(0, 10)));
}

function field(id: string, label: string, input: HTMLElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

/** Log in with an OTP as a person would, reading the SMS the system "sent" (the dev outbox). */
function loginCard(development: boolean, done: () => void): HTMLElement {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const phone = h('input', { id: 'phone', type: 'tel', autocomplete: 'tel', required: true, value: randomPhone() });
  const code = h('input', {
    id: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 6,
    required: true,
  });
  const inbox = h('ol', { class: 'sms', 'aria-label': 'SMS received' });
  const codeForm = h('form', { hidden: true }, field('code', 'Code from the SMS', code), h('button', { type: 'submit' }, 'Log in'));
  let challengeId = '';

  const readSms = async (number: string, since: number) => {
    // Only while waiting for one SMS, a few reads of one route: not a stream, nothing after.
    for (let i = 0; i < 30; i += 1) {
      const messages = await api<Sms[]>('GET', `/ui/api/dev/sms?phone=${encodeURIComponent(number)}`).catch(() => []);
      const fresh = messages.filter((m) => Date.parse(m.sentAt) >= since - 5_000);
      if (fresh.length) {
        put(
          inbox,
          ...fresh.map((m) =>
            h('li', {}, h('span', { class: 'from' }, `SMS to ${number}`), h('span', { class: 'body', 'data-testid': 'sms-body' }, m.body)),
          ),
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    put(inbox, h('li', {}, 'No SMS arrived (is notifications running?)'));
  };

  const phoneForm = h(
    'form',
    {
      onsubmit: submit(async () => {
        put(status, 'Asking for a code…');
        try {
          const since = Date.now();
          const answer = await api<{ challengeId: string }>('POST', '/auth/otp', { phone: phone.value.trim() });
          challengeId = answer.challengeId;
          codeForm.hidden = false;
          put(
            status,
            'Code requested: the orchestrator asked auth for a challenge, then notifications to send the SMS (orchestration: each step needs the previous answer).',
          );
          code.focus();
          if (development) await readSms(phone.value.trim(), since);
        } catch (error) {
          put(status, error instanceof ApiError ? `Refused: ${error.message}` : String(error));
        }
      }),
    },
    field('phone', 'Phone number (E.164)', phone),
    h('button', { type: 'submit' }, 'Send code'),
  );

  codeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const answer = await api<{ accessToken: string }>('POST', '/auth/otp/verify', { challengeId, code: code.value.trim() });
        session.login(answer.accessToken, phone.value.trim());
        done();
      } catch (error) {
        put(status, error instanceof ApiError ? `Refused: ${error.message}` : String(error));
      }
    })();
  });

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'login-title' },
    h('h2', { id: 'login-title' }, 'Log in'),
    phoneForm,
    codeForm,
    status,
    development
      ? h('div', { class: 'phone' }, h('h3', {}, 'Your phone (the dev outbox)'), inbox)
      : h('p', { class: 'hint' }, 'The code arrives by SMS.'),
  );
}

function bankCard(logout: () => void): HTMLElement {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const table = h('tbody');
  const selects = [h('select', { id: 'deposit-account' }), h('select', { id: 'from-account' }), h('select', { id: 'to-account' })];
  const [depositAccount, fromAccount, toAccount] = selects;
  const currency = h('select', { id: 'currency' }, ...['EUR', 'USD', 'GBP'].map((c) => h('option', { value: c }, c)));
  const depositAmount = h('input', { id: 'deposit-amount', inputmode: 'decimal', value: '100.00', required: true });
  const amount = h('input', { id: 'amount', inputmode: 'decimal', value: '12.50', required: true });
  const reference = h('input', { id: 'reference', value: 'rent', maxlength: 140 });
  const recent = h('ul', { class: 'recent' });
  let accounts: Account[] = [];

  const fail = (error: unknown) =>
    put(status, error instanceof ApiError ? `Refused: ${error.problem.code ?? error.problem.status} ${error.message}` : String(error));
  const currencyOf = (id: string) => accounts.find((a) => a.id === id)?.currency ?? 'EUR';

  const refresh = async () => {
    accounts = await api<Account[]>('GET', '/accounts');
    put(
      table,
      ...accounts.map((a) =>
        h(
          'tr',
          { 'data-account': a.id },
          h('td', {}, h('code', { title: a.id }, shortId(a.id))),
          h('td', {}, a.currency),
          h('td', { class: 'num', 'data-testid': 'balance' }, money(a.balance, a.currency)),
          h('td', { class: 'num' }, money(a.availableBalance, a.currency)),
        ),
      ),
    );
    for (const select of selects) {
      const chosen = select.value;
      put(select, ...accounts.map((a) => h('option', { value: a.id }, `${shortId(a.id)} ${a.currency} ${money(a.balance, a.currency)}`)));
      if (accounts.some((a) => a.id === chosen)) select.value = chosen;
    }
    if (accounts.length > 1 && toAccount.value === fromAccount.value)
      toAccount.value = accounts.find((a) => a.id !== fromAccount.value)?.id ?? '';
    put(recent, ...recentTransfers().map((t) => h('li', {}, h('a', { href: `/ui/transfers/${t.id}` }, t.label))));
  };

  const openForm = h(
    'form',
    {
      onsubmit: submit(async () => {
        try {
          await api('POST', '/accounts', { currency: currency.value });
          put(status, `Opened a ${currency.value} account.`);
          await refresh();
        } catch (error) {
          fail(error);
        }
      }),
    },
    field('currency', 'Currency', currency),
    h('button', { type: 'submit' }, 'Open account'),
  );

  const depositForm = h(
    'form',
    {
      onsubmit: submit(async () => {
        const minor = parseMinor(depositAmount.value, currencyOf(depositAccount.value));
        if (minor === undefined) {
          put(status, 'Enter an amount, e.g. 100.00');
          return;
        }
        try {
          await api('POST', `/accounts/${depositAccount.value}/deposits`, { amount: minor }, { 'idempotency-key': newKey() });
          put(status, `Deposited ${money(minor, currencyOf(depositAccount.value))}.`);
          await refresh();
        } catch (error) {
          fail(error);
        }
      }),
    },
    field('deposit-account', 'Account', depositAccount),
    field('deposit-amount', 'Amount', depositAmount),
    h('button', { type: 'submit' }, 'Deposit'),
  );

  const transferForm = h(
    'form',
    {
      onsubmit: submit(async () => {
        const cur = currencyOf(fromAccount.value);
        const minor = parseMinor(amount.value, cur);
        if (minor === undefined) {
          put(status, 'Enter an amount, e.g. 12.50');
          return;
        }
        const label = `${money(minor, cur)} ${shortId(fromAccount.value)} → ${shortId(toAccount.value)}${reference.value ? ` (${reference.value})` : ''}`;
        put(status, 'Sending…');
        let id: string | undefined;
        try {
          const body = {
            fromAccountId: fromAccount.value,
            toAccountId: toAccount.value,
            amount: minor,
            currency: cur,
            ...(reference.value ? { reference: reference.value } : {}),
          };
          id = (await api<TransferAnswer>('POST', '/transfers', body, { 'idempotency-key': newKey() })).id;
        } catch (error) {
          // A refusal still made a transfer (with its saga and compensation): show it.
          id = error instanceof ApiError ? error.problem.transferId : undefined;
          if (!id) {
            fail(error);
            return;
          }
        }
        remember(id, label);
        location.assign(`/ui/transfers/${id}`);
      }),
    },
    field('from-account', 'From', fromAccount),
    field('to-account', 'To', toAccount),
    field('amount', 'Amount', amount),
    field('reference', 'Reference', reference),
    h('button', { type: 'submit', 'data-testid': 'send-transfer' }, 'Send transfer'),
  );

  void refresh().catch((error: unknown) => {
    if (error instanceof ApiError && error.problem.status === 401) logout();
    else fail(error);
  });

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'bank-title' },
    h('h2', { id: 'bank-title' }, 'Your accounts'),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'accounts' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Account'),
            h('th', { scope: 'col' }, 'Currency'),
            h('th', { scope: 'col', class: 'num' }, 'Balance'),
            h('th', { scope: 'col', class: 'num' }, 'Available'),
          ),
        ),
        table,
      ),
    ),
    h(
      'div',
      { class: 'forms' },
      h('div', {}, h('h3', {}, 'Open an account'), openForm),
      h('div', {}, h('h3', {}, 'Deposit'), depositForm),
      h('div', {}, h('h3', {}, 'Send a transfer'), transferForm),
    ),
    status,
    h('h3', {}, 'Your transfers'),
    recent,
  );
}

/** The "try it" view: log in, open accounts, deposit, send a transfer and follow it. */
export function tryView(root: HTMLElement, development: boolean): void {
  const render = () => {
    if (!session.token) {
      put(
        root,
        loginCard(development, () => location.reload()),
      );
      return;
    }
    put(
      root,
      bankCard(() => {
        session.logout();
        render();
      }),
    );
  };
  render();
}
