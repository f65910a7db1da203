import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

/**
 * Property: whatever malformed request a client sends to a public endpoint of the orchestrator
 * (bad bodies, headers, tokens, ids, query strings), the answer is a 4xx problem+json with a
 * machine `code`, never a 5xx, and nothing is written. Each generated request starts from a valid
 * one and gets at least one change that makes it invalid; X-Correlation-Id junk rides along.
 * A second property sends requests that may be fine or not (any Unicode, control characters and
 * lone surrogates in free text, ids in any letter case, amounts near every limit, an account near
 * the balance cap): each ends in a 2xx or a coded 4xx, never a 5xx, and a 4xx moves no money.
 */

type Method = 'get' | 'post';
interface Endpoint {
  name: string;
  method: Method;
  /** `:id` stands for the endpoint's resource id. */
  path: string;
  idKind?: 'account' | 'transfer';
  auth: boolean;
  /** Another customer's token is refused too (the resource is Alice's). */
  owned: boolean;
  idempotencyKey: boolean;
  body?: () => Record<string, unknown>;
  /** Bad values per body field. */
  badFields?: Record<string, fc.Arbitrary<unknown>>;
  statementQuery?: boolean;
}

interface Fixture {
  alice: { token: string; customerId: string };
  bob: { token: string };
  aliceAccount: string;
  aliceSecond: string;
  bobAccount: string;
  transferId: string;
  /** Alice's, with a balance ROOM below the cap. */
  fullAccount: string;
}

const CAP = Number.MAX_SAFE_INTEGER;
const ROOM = 1_000;
const MAX_AMOUNT = 1_000_000_000_000;

// ---------------------------------------------------------------- generators of bad values

/** Characters Node will put in a header value: tab, visible ASCII and space, Latin-1. */
const headerChar = fc
  .oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
    { weight: 1, arbitrary: fc.constant(0x09) },
  )
  .map((c) => String.fromCharCode(c));
const headerText = (min: number, max: number) => fc.array(headerChar, { minLength: min, maxLength: max }).map((a) => a.join(''));

const notUuid = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 40 })
    .filter(
      (s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s) && s.trim() !== '' && s !== '.' && s !== '..',
    ),
  fc.constantFrom(
    '1',
    'abc',
    'null',
    'undefined',
    '00000000-0000-0000-0000-00000000000',
    "1' OR '1'='1",
    '%00',
    '../accounts',
    'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
    'x'.repeat(300),
  ),
  fc.uuid().map((u) => `${u}0`),
  fc.uuid().map((u) => u.replace(/-/g, '')),
);
/** The id with each letter in a random case: the same id to the database. */
const mixedCase = (id: string) =>
  fc
    .array(fc.boolean(), { minLength: id.length, maxLength: id.length })
    .map((upper) => [...id].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

const notUuidValue = fc.oneof(notUuid, fc.integer(), fc.constant(null), fc.boolean(), fc.constant({}), fc.constant([]));
const badAmount = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 0.001, 1_000_000_000_001, 2 ** 53, 1e308, -0.5, '10', '', true, null, [], {}, [10], { value: 10 }),
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.integer({ min: 1_000_000_000_001, max: Number.MAX_SAFE_INTEGER }),
  fc.string(),
);
const badCurrency = fc.oneof(
  fc.constantFrom('eur', 'EURO', 'EU', 'E1R', '', ' EUR', 'EUR ', '€', 'XXXX', 978, null, true, ['EUR'], { code: 'EUR' }),
  fc.string({ maxLength: 6 }).filter((s) => !/^[A-Z]{3}$/.test(s)),
);
const badPhone = fc.oneof(
  fc.constantFrom(
    '0151 1234567',
    '+0 151',
    '4915112345678',
    '+49 151 12345678',
    '+',
    '',
    '+1234567890123456',
    '+49151abc1234',
    '++4915112345678',
    4915112345678,
    null,
    ['+4915112345678'],
  ),
  fc.string({ maxLength: 20 }).filter((s) => !/^\+[1-9]\d{6,14}$/.test(s)),
);
const badCode = fc.oneof(
  fc.constantFrom('12345', '1234567', 'abcdef', '12 456', '', 123456, null, ['123456'], '１２３４５６'),
  fc.string({ maxLength: 10 }).filter((s) => !/^\d{6}$/.test(s)),
);
/** Characters free text refuses: C0 and C1 controls, DEL, and halves of a surrogate pair on their own. */
const controlChar = fc
  .oneof(fc.integer({ min: 0x00, max: 0x1f }), fc.constant(0x7f), fc.integer({ min: 0x80, max: 0x9f }))
  .map((c) => String.fromCharCode(c));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Text of any script (whole code points: emoji, CJK, combining marks, ...). */
const unicodeText = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });
/** Otherwise fine text with one refused character somewhere in it. */
const textWith = (bad: fc.Arbitrary<string>) => fc.tuple(unicodeText(60), bad, unicodeText(60)).map(([a, c, b]) => `${a}${c}${b}`);

const badReference = fc.oneof(
  fc.string({ minLength: 141, maxLength: 300 }),
  fc.integer(),
  fc.constant({}),
  fc.constant(['x']),
  fc.boolean(),
  textWith(controlChar),
  textWith(loneSurrogate),
);

/** Body changes that each make the body invalid. */
function badBody(endpoint: Endpoint, fixture: Fixture): fc.Arbitrary<{ kind: string; raw?: string; json?: unknown }> {
  const base = endpoint.body!;
  const fields = Object.keys(base());
  const allowed = new Set([...fields, ...(endpoint.badFields ? Object.keys(endpoint.badFields) : [])]);
  const options: fc.Arbitrary<{ kind: string; raw?: string; json?: unknown }>[] = [
    fc
      .oneof(fc.constant(null), fc.integer(), fc.string(), fc.boolean(), fc.array(fc.jsonValue(), { maxLength: 3 }), fc.constant([base()]))
      .map((json) => ({ kind: 'not an object', json })),
    fc
      .oneof(
        fc.constantFrom(
          '{',
          '{"amount": 1,',
          '[',
          'nul',
          '{"a":1}}',
          "{'currency':'EUR'}",
          '{"currency":"EUR",}',
          '\u0000',
          '{"phone": "+49151\\x"}',
        ),
        fc.string({ minLength: 1 }).filter((s) => {
          try {
            JSON.parse(s);
            return false;
          } catch {
            return true;
          }
        }),
      )
      .map((raw) => ({ kind: 'malformed JSON', raw })),
    fc.constant({ kind: 'too large', raw: JSON.stringify({ ...base(), pad: 'x'.repeat(70 * 1024) }) }),
    fc.constantFrom(...fields).map((field) => {
      const body = base();
      delete body[field];
      return { kind: `missing ${field}`, json: body };
    }),
    fc
      .tuple(
        fc
          .oneof(
            fc.string({ minLength: 1, maxLength: 12 }),
            fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'status', 'customerId', 'balance'),
          )
          .filter((k) => !allowed.has(k)),
        fc.jsonValue(),
      )
      .map(([key, value]) => ({
        kind: `unknown field ${key}`,
        raw: JSON.stringify(base()).replace(/}$/, `,${JSON.stringify(key)}:${JSON.stringify(value ?? null)}}`),
      })),
  ];
  if (endpoint.badFields) {
    options.push(
      fc
        .constantFrom(...Object.keys(endpoint.badFields))
        .chain((field) => endpoint.badFields![field].map((value) => ({ kind: `bad ${field}`, json: { ...base(), [field]: value } }))),
    );
  }
  if (endpoint.name === 'POST /transfers') {
    options.push(fc.constant({ kind: 'same source and destination', json: { ...base(), toAccountId: fixture.aliceAccount } }));
    options.push(
      mixedCase(fixture.aliceAccount).map((toAccountId) => ({
        kind: 'same source and destination in another letter case',
        json: { ...base(), toAccountId },
      })),
    );
  }
  return fc.oneof(...options);
}

function badAuthorization(endpoint: Endpoint, fixture: Fixture): fc.Arbitrary<{ kind: string; header?: string }> {
  const valid = fixture.alice.token;
  const [head, payload, signature] = valid.split('.');
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const options: fc.Arbitrary<{ kind: string; header?: string }>[] = [
    fc.constant({ kind: 'no token' }),
    fc
      .constantFrom(
        'Bearer',
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        valid,
        `Token ${valid}`,
        `Bearer ${valid}x`,
        `Bearer ${head}.${payload}`,
        `Bearer ${head}.${payload}.`,
        `Bearer ${valid}.${valid}`,
      )
      .map((header) => ({ kind: 'malformed', header })),
    headerText(0, 200).map((junk) => ({ kind: 'junk', header: `Bearer ${junk}` })),
    headerText(1, 100).map((junk) => ({ kind: 'junk scheme', header: junk })),
    // Not the last character: some of its bits are base64 padding, so changing it may change nothing.
    fc.integer({ min: 0, max: signature.length - 2 }).map((i) => {
      const flipped = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
      return { kind: 'forged signature', header: `Bearer ${head}.${payload}.${flipped}` };
    }),
    fc.constant({ kind: 'alg none', header: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.` }),
    fc.constant({ kind: 'HS256 with a guessed key', header: `Bearer ${b64({ alg: 'HS256', typ: 'JWT' })}.${payload}.${signature}` }),
    fc.constant({
      kind: 'claims changed',
      header: `Bearer ${head}.${b64({ ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as object), sub: randomUUID(), exp: 4_102_444_800 })}.${signature}`,
    }),
  ];
  if (endpoint.owned) options.push(fc.constant({ kind: "another customer's token", header: `Bearer ${fixture.bob.token}` }));
  return fc.oneof(...options);
}

const badIdempotencyKey = fc.oneof(
  fc.constant({ kind: 'missing' }),
  fc.constant({ kind: 'empty', value: '' }),
  fc.constant({ kind: 'empty quoted', value: '""' }),
  headerText(256, 400)
    .filter((s) => s.trim().length > 255)
    .map((value) => ({ kind: 'too long', value })),
  fc
    .tuple(headerText(1, 10), headerText(1, 10))
    .filter(([a, b]) => a.trim() !== '' && b.trim() !== '')
    .map(([a, b]) => ({ kind: 'inner space', value: `${a.trim()} ${b.trim()}` })),
  fc
    .tuple(headerText(1, 10), fc.integer({ min: 0x80, max: 0xff }))
    .map(([a, c]) => ({ kind: 'non-ASCII', value: `${a.trim() || 'k'}${String.fromCharCode(c)}` })),
);

const badContentType = fc.constantFrom(
  'text/plain',
  'application/xml',
  'text/html',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'image/png',
  'foo',
  'application/jsonx',
);

const badStatementQuery = fc.oneof(
  fc
    .constantFrom('0', '-1', '1001', '100000', 'abc', '1.5', ' ', '10abc', '0x10', 'NaN', 'Infinity')
    .map((v) => ({ kind: 'bad limit', query: `limit=${encodeURIComponent(v)}` })),
  fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 60 }),
      fc.constantFrom('null', 'eyJzZXEiOi0xfQ', 'eyJzZXEiOiJ4In0', 'AAAA', '%%%', "'; DROP TABLE ledger.entries; --"),
    )
    .filter((s) => s.trim() !== '')
    .map((v) => ({ kind: 'bad cursor', query: `cursor=${encodeURIComponent(v)}` })),
);

const correlationNoise = fc.option(fc.oneof(headerText(0, 300), fc.constant('x'.repeat(5000)), fc.uuid()), { nil: undefined });

// ---------------------------------------------------------------- the endpoints

function endpoints(f: Fixture): Endpoint[] {
  const uuidFields = (...names: string[]) => Object.fromEntries(names.map((n) => [n, notUuidValue]));
  return [
    {
      name: 'POST /auth/otp',
      method: 'post',
      path: '/auth/otp',
      auth: false,
      owned: false,
      idempotencyKey: false,
      body: () => ({ phone: '+4915112345678' }),
      badFields: { phone: badPhone },
    },
    {
      name: 'POST /auth/otp/verify',
      method: 'post',
      path: '/auth/otp/verify',
      auth: false,
      owned: false,
      idempotencyKey: false,
      body: () => ({ challengeId: randomUUID(), code: '123456' }),
      badFields: { ...uuidFields('challengeId'), code: badCode },
    },
    {
      name: 'POST /accounts',
      method: 'post',
      path: '/accounts',
      auth: true,
      owned: false,
      idempotencyKey: false,
      body: () => ({ currency: 'EUR' }),
      badFields: { currency: badCurrency },
    },
    { name: 'GET /accounts', method: 'get', path: '/accounts', auth: true, owned: false, idempotencyKey: false },
    { name: 'GET /accounts/:id', method: 'get', path: '/accounts/:id', idKind: 'account', auth: true, owned: true, idempotencyKey: false },
    {
      name: 'POST /accounts/:id/deposits',
      method: 'post',
      path: '/accounts/:id/deposits',
      idKind: 'account',
      auth: true,
      owned: true,
      idempotencyKey: true,
      body: () => ({ amount: 100 }),
      badFields: { amount: badAmount },
    },
    {
      name: 'GET /accounts/:id/statement',
      method: 'get',
      path: '/accounts/:id/statement',
      idKind: 'account',
      auth: true,
      owned: true,
      idempotencyKey: false,
      statementQuery: true,
    },
    {
      name: 'POST /transfers',
      method: 'post',
      path: '/transfers',
      auth: true,
      owned: true,
      idempotencyKey: true,
      body: () => ({ fromAccountId: f.aliceAccount, toAccountId: f.bobAccount, amount: 10, currency: 'EUR' }),
      badFields: { ...uuidFields('fromAccountId', 'toAccountId'), amount: badAmount, currency: badCurrency, reference: badReference },
    },
    {
      name: 'GET /transfers/:id',
      method: 'get',
      path: '/transfers/:id',
      idKind: 'transfer',
      auth: true,
      owned: true,
      idempotencyKey: false,
    },
  ];
}

interface Case {
  /** The endpoint's name (a plain value, so that a counterexample prints readably). */
  endpoint: string;
  auth?: { kind: string; header?: string };
  id?: { kind: string; value: string };
  body?: { kind: string; raw?: string; json?: unknown };
  key?: { kind: string; value?: string };
  contentType?: string;
  query?: { kind: string; query: string };
  correlationId?: string;
}

/** A request with at least one change that makes it invalid. */
function badRequest(endpoint: Endpoint, fixture: Fixture): fc.Arbitrary<Case> {
  const opt = <T>(arb: fc.Arbitrary<T>, enabled: boolean) =>
    enabled ? fc.option(arb, { nil: undefined, freq: 2 }) : fc.constant(undefined);
  return fc
    .record({
      auth: opt(badAuthorization(endpoint, fixture), endpoint.auth),
      id: opt(
        fc.oneof(
          notUuid.map((value) => ({ kind: 'malformed id', value })),
          fc.uuid().map((value) => ({ kind: 'unknown id', value })),
        ),
        endpoint.idKind !== undefined,
      ),
      body: opt(endpoint.body ? badBody(endpoint, fixture) : fc.constant(undefined as never), endpoint.body !== undefined),
      key: opt(badIdempotencyKey, endpoint.idempotencyKey),
      contentType: opt(badContentType, endpoint.body !== undefined),
      query: opt(badStatementQuery, endpoint.statementQuery === true),
      correlationId: correlationNoise,
    })
    .filter((c) => [c.auth, c.id, c.body, c.key, c.contentType, c.query].some((m) => m !== undefined))
    .map((c) => ({ endpoint: endpoint.name, ...c }));
}

function describeCase(c: Case): string {
  const parts = [c.endpoint];
  if (c.auth) parts.push(`auth: ${c.auth.kind}`);
  if (c.id) parts.push(`id: ${c.id.kind} ${JSON.stringify(c.id.value.slice(0, 60))}`);
  if (c.body) parts.push(`body: ${c.body.kind}`);
  if (c.key) parts.push(`Idempotency-Key: ${c.key.kind}`);
  if (c.contentType) parts.push(`Content-Type: ${c.contentType}`);
  if (c.query) parts.push(`query: ${c.query.kind} ${c.query.query.slice(0, 60)}`);
  if (c.correlationId !== undefined) parts.push(`X-Correlation-Id of ${c.correlationId.length} chars`);
  return parts.join(' | ');
}

describe('property: malformed requests to every public endpoint get a 4xx problem, never a 5xx, and change nothing', () => {
  let system: TestSystem;
  let fixture: Fixture;

  beforeAll(async () => {
    system = await startTestSystem();
    const bank = new BankClient(system);
    const alice = await bank.login();
    const bob = await bank.login();
    const aliceAccount = (await bank.openAccount(alice.token)).id;
    const aliceSecond = (await bank.openAccount(alice.token)).id;
    const bobAccount = (await bank.openAccount(bob.token)).id;
    await bank.deposit(alice.token, aliceAccount, 100_000);
    // Between Alice's own accounts, so that Bob is no party to it.
    const transfer = await bank
      .transfer(alice.token, { fromAccountId: aliceAccount, toAccountId: aliceSecond, amount: 10, currency: 'EUR' })
      .expect(201);
    // Near the cap in both services, as if it had got there one deposit of 10^12 at a time.
    const fullAccount = (await bank.openAccount(alice.token)).id;
    await system.db.query(`UPDATE accounts.accounts SET balance = $2, available_balance = $2 WHERE id = $1`, [
      fullAccount,
      String(CAP - ROOM),
    ]);
    await system.db.query(`INSERT INTO ledger.balances (account_id, currency, balance) VALUES ($1, 'EUR', $2)`, [
      fullAccount,
      String(CAP - ROOM),
    ]);
    fixture = { alice, bob, aliceAccount, aliceSecond, bobAccount, transferId: (transfer.body as { id: string }).id, fullAccount };
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  /** Everything a request could have written, in one round trip. */
  async function state(): Promise<string> {
    const { rows } = await system.db.query(`
      SELECT (SELECT count(*) FROM orchestrator.transfers) AS transfers,
             (SELECT count(*) FROM orchestrator.deposits) AS deposits,
             (SELECT count(*) FROM orchestrator.outbox) AS orchestrator_outbox,
             (SELECT max(updated_at) FROM orchestrator.transfers) AS transfers_updated,
             (SELECT count(*) FROM accounts.accounts) AS accounts,
             (SELECT COALESCE(sum(balance), 0) || '/' || COALESCE(sum(available_balance), 0) FROM accounts.accounts) AS balances,
             (SELECT count(*) FROM accounts.holds) AS holds,
             (SELECT count(*) FROM accounts.deposits) AS account_deposits,
             (SELECT count(*) FROM accounts.outbox) AS accounts_outbox,
             (SELECT count(*) FROM ledger.postings) AS postings,
             (SELECT count(*) FROM ledger.entries) AS entries,
             (SELECT count(*) FROM auth.customers) AS customers,
             (SELECT count(*) || '/' || COALESCE(sum(attempts), 0) FROM auth.otp_challenges) AS challenges`);
    return JSON.stringify(rows[0]);
  }

  async function send(c: Case) {
    const endpoint = endpoints(fixture).find((e) => e.name === c.endpoint)!;
    const idValue = c.id?.value ?? (endpoint.idKind === 'transfer' ? fixture.transferId : fixture.aliceAccount);
    let path = endpoint.path.replace(':id', encodeURIComponent(idValue));
    if (c.query) path += `?${c.query.query}`;
    let req = system.api()[endpoint.method](path);
    if (endpoint.auth) {
      const header = c.auth ? c.auth.header : `Bearer ${fixture.alice.token}`;
      if (header !== undefined) req = req.set('authorization', header);
    }
    if (endpoint.idempotencyKey) {
      const key = c.key ? c.key.value : randomUUID();
      if (key !== undefined) req = req.set('idempotency-key', key);
    }
    if (c.correlationId !== undefined) req = req.set('x-correlation-id', c.correlationId);
    if (endpoint.body) {
      const raw = c.body?.raw ?? JSON.stringify(c.body ? c.body.json : endpoint.body());
      req = req.set('content-type', c.contentType ?? 'application/json').send(raw);
    }
    return req.timeout({ response: 15_000 });
  }

  it('400 generated bad requests (BAD_INPUT_RUNS)', async () => {
    const before = await state();
    const arb = fc.constantFrom(...endpoints(fixture)).chain((endpoint) => badRequest(endpoint, fixture));
    const transfer = { fromAccountId: fixture.aliceAccount, toAccountId: fixture.bobAccount, amount: 10, currency: 'EUR' };
    const withField = (body: object, key: string) => JSON.stringify(body).replace(/}$/, `,${JSON.stringify(key)}:1}`);
    // Cases that once got through, tried first on every run (the generator finds them only now and then).
    const examples: Case[] = [
      ...['constructor', 'prototype', '__proto__'].map((key) => ({
        endpoint: 'POST /transfers',
        body: { kind: `unknown field ${key}`, raw: withField(transfer, key) },
      })),
      {
        endpoint: 'POST /auth/otp',
        body: { kind: 'unknown field constructor', raw: withField({ phone: '+4915112345678' }, 'constructor') },
      },
      { endpoint: 'GET /accounts/:id', id: { kind: 'malformed id', value: 'x'.repeat(300) } },
    ];
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        const was = await state();
        const res = await send(c);
        const what = `${describeCase(c)} -> ${res.status} ${String(res.text).slice(0, 300)}`;
        expect({ what, is4xx: res.status >= 400 && res.status <= 499 }).toEqual({ what, is4xx: true });
        const problem = res.body as { code?: unknown; status?: unknown } | undefined;
        expect({
          what,
          problemJson: /^application\/problem\+json/.test(String(res.headers['content-type'])),
          machineCode: typeof problem?.code === 'string' && /^[A-Z][A-Z_]+$/.test(problem.code),
          statusInBody: problem?.status === res.status,
        }).toEqual({ what, problemJson: true, machineCode: true, statusInBody: true });
        expect({ what, state: await state() }).toEqual({ what, state: was });
      }),
      { numRuns: Number(process.env.BAD_INPUT_RUNS ?? 400), examples: examples.map((e) => [e] as [Case]) },
    );
    expect(await state()).toBe(before);
  }, 240_000);

  /** Where money is: what a refusal must leave as it was. */
  async function money(): Promise<string> {
    const { rows } = await system.db.query(`
      SELECT (SELECT COALESCE(sum(balance), 0) || '/' || COALESCE(sum(available_balance), 0) FROM accounts.accounts) AS balances,
             (SELECT count(*) FROM accounts.holds WHERE status <> 'RELEASED') AS live_holds,
             (SELECT count(*) FROM accounts.deposits) AS account_deposits,
             (SELECT count(*) FROM ledger.entries) AS entries,
             (SELECT COALESCE(sum(balance), 0) FROM ledger.balances) AS ledger_balances`);
    return JSON.stringify(rows[0]);
  }

  it('requests that may be fine or not (Unicode, controls, any letter case, near every limit): 2xx or a coded 4xx, never 5xx (EDGE_INPUT_RUNS)', async () => {
    const accounts = [fixture.aliceAccount, fixture.aliceSecond, fixture.bobAccount, fixture.fullAccount];
    const anyCase = fc.constantFrom(...accounts).chain(mixedCase);
    const nearLimits = fc.oneof(
      fc.constantFrom(1, 2, ROOM - 1, ROOM, ROOM + 1, MAX_AMOUNT - 1, MAX_AMOUNT, MAX_AMOUNT + 1, CAP - 1, CAP, CAP + 1),
      fc.integer({ min: 1, max: MAX_AMOUNT }),
      fc.integer({ min: 1, max: 2 * ROOM }),
    );
    const reference = fc.option(fc.oneof(unicodeText(140), textWith(controlChar), textWith(loneSurrogate), unicodeText(200)), {
      nil: undefined,
    });
    type EdgeCase = { what: string; method: 'get' | 'post'; path: string; body?: object };
    const edge: fc.Arbitrary<EdgeCase> = fc.oneof(
      fc
        .record({
          from: fc.constantFrom(fixture.aliceAccount, fixture.aliceSecond).chain(mixedCase),
          to: anyCase,
          amount: nearLimits,
          reference,
        })
        .map(({ from, to, amount, reference }) => ({
          what: 'POST /transfers',
          method: 'post' as const,
          path: '/transfers',
          body: { fromAccountId: from, toAccountId: to, amount, currency: 'EUR', ...(reference === undefined ? {} : { reference }) },
        })),
      fc
        .record({ id: fc.constantFrom(fixture.aliceAccount, fixture.fullAccount).chain(mixedCase), amount: nearLimits })
        .map(({ id, amount }) => ({
          what: 'POST /accounts/:id/deposits',
          method: 'post' as const,
          path: `/accounts/${id}/deposits`,
          body: { amount },
        })),
      anyCase.map((id) => ({ what: 'GET /accounts/:id', method: 'get' as const, path: `/accounts/${id}` })),
    );
    await fc.assert(
      fc.asyncProperty(edge, async (c) => {
        const [wasState, wasMoney] = [await state(), await money()];
        let req = system.api()[c.method](c.path).set('authorization', `Bearer ${fixture.alice.token}`);
        if (c.body) req = req.set('idempotency-key', randomUUID()).set('content-type', 'application/json').send(JSON.stringify(c.body));
        const res = await req.timeout({ response: 15_000 });
        const what = `${c.what} ${JSON.stringify(c.body ?? c.path).slice(0, 300)} -> ${res.status} ${String(res.text).slice(0, 300)}`;
        expect({ what, answered: res.status >= 200 && res.status <= 499 }).toEqual({ what, answered: true });
        if (res.status < 400) {
          // A 202 goes on after the answer: let it end before the next case compares money.
          await eventually(
            () =>
              system.db.query(
                `SELECT (SELECT count(*) FROM orchestrator.transfers WHERE status = 'PENDING') + (SELECT count(*) FROM orchestrator.deposits WHERE status = 'PENDING') AS n`,
              ),
            (r) => Number((r.rows[0] as { n: string }).n) === 0,
            { timeoutMs: 60_000 },
          );
          return;
        }
        const problem = res.body as { code?: unknown } | undefined;
        expect({ what, machineCode: typeof problem?.code === 'string' && /^[A-Z][A-Z_]+$/.test(problem.code) }).toEqual({
          what,
          machineCode: true,
        });
        // A refusal moves no money; bad input (400) writes nothing at all, a business refusal (422) only its FAILED saga row.
        expect({ what, money: await money() }).toEqual({ what, money: wasMoney });
        if (res.status === 400) expect({ what, state: await state() }).toEqual({ what, state: wasState });
      }),
      { numRuns: Number(process.env.EDGE_INPUT_RUNS ?? 150) },
    );
  }, 240_000);

  it('X-Correlation-Id of any shape on valid reads: never a 5xx, and the echoed id is a safe single line', async () => {
    await fc.assert(
      fc.asyncProperty(
        correlationNoise.filter((c) => c !== undefined),
        fc.constantFrom('/accounts', `/accounts/:a`, `/transfers/:t`),
        async (correlationId, route) => {
          const path = route.replace(':a', fixture.aliceAccount).replace(':t', fixture.transferId);
          const res = await system
            .api()
            .get(path)
            .set('authorization', `Bearer ${fixture.alice.token}`)
            .set('x-correlation-id', correlationId);
          expect({ correlationId: correlationId.slice(0, 80), status: res.status }).toEqual({
            correlationId: correlationId.slice(0, 80),
            status: 200,
          });
          const echoed = res.headers['x-correlation-id'];
          expect(typeof echoed).toBe('string');
          expect(echoed.length).toBeGreaterThan(0);
          expect(echoed.length).toBeLessThanOrEqual(128);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
