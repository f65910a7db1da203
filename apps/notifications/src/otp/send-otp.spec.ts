/**
 * OTP delivery and the dev outbox against the real Postgres (a database of its own, created and
 * dropped here), and the HTTP endpoint through a Fastify app booted in the test.
 */
import { generateKeyPairSync, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import { createValidationPipe, ErrorMappingFilter, loadConfig, sealOtpCode } from '@bank/common';
import { runServiceMigrations, Sql } from '@bank/database';
import { createTestDatabase, uniqueName, type ThrowawayDatabase } from '@bank/testing';
import { DomainError, SendOtpCommand, type OutboxMessageView, type SendOtpReply } from '@bank/contracts';
import { applyDevOutboxDefault, NotificationsConfig } from '../config/notifications.config.js';
import { OUTBOX_LIMIT } from '../dev-outbox/list-outbox.handler.js';
import { notificationsMigrations } from '../migrations/index.js';
import { NotificationsModule } from '../notifications.module.js';
import { NOTIFICATIONS_SCHEMA } from '../notifications.schema.js';
import { otpMessageBody } from './otp-sms.template.js';

// Database round trips under a busy machine (parallel suites): generous, but bounded.
jest.setTimeout(30_000);

// The seal key pair: notifications reads the private half from CERTS_DIR; the spec seals as auth does.
const sealKeys = generateKeyPairSync('x25519');
const CERTS_DIR = mkdtempSync(path.join(tmpdir(), 'notifications-spec-certs-'));
writeFileSync(path.join(CERTS_DIR, 'otp-seal.key'), sealKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

const quiet: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined };

/** The app as bootstrap() builds it, minus the listening sockets: Fastify, global pipe and filter. */
async function bootApp(devOutbox: boolean): Promise<NestFastifyApplication> {
  const config = loadConfig(
    NotificationsConfig,
    applyDevOutboxDefault({ DATABASE_URL: db.url, NODE_ENV: 'test', NOTIFICATIONS_DEV_OUTBOX: String(devOutbox), CERTS_DIR }),
  );
  const moduleRef = await Test.createTestingModule({ imports: [NotificationsModule.forRoot(config)] })
    .setLogger(quiet)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  app.useGlobalFilters(new ErrorMappingFilter());
  app.useGlobalPipes(createValidationPipe());
  // A real socket on an ephemeral port: Fastify's inject() cannot load under Jest's ESM runtime on Node 20.
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

let db: ThrowawayDatabase;
let on: NestFastifyApplication;
let off: NestFastifyApplication;
let sql: Sql;

beforeAll(async () => {
  db = await createTestDatabase(uniqueName('notifications_spec'));
  await runServiceMigrations({ schema: NOTIFICATIONS_SCHEMA, url: db.url, migrations: notificationsMigrations });
  on = await bootApp(true);
  off = await bootApp(false);
  sql = on.get(Sql);
}, 60_000);

afterAll(async () => {
  await on?.close();
  await off?.close();
  await db?.drop();
  rmSync(CERTS_DIR, { recursive: true, force: true });
}, 60_000);

const newPhone = () => `+4916${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');
const inFiveMinutes = () => new Date(Date.now() + 300_000).toISOString();

/** Sends the code as the orchestrator does: sealed by auth for this challenge and send. */
function sendOtp(
  app: NestFastifyApplication,
  { code, send = 1, ...fields }: { challengeId: string; recipient: string; code: string; expiresAt: string; send?: number },
): Promise<SendOtpReply> {
  const sealedCode = sealOtpCode(sealKeys.publicKey, { challengeId: fields.challengeId, send }, code);
  return sendSealed(app, { ...fields, send, sealedCode });
}

function sendSealed(
  app: NestFastifyApplication,
  fields: { challengeId: string; recipient: string; sealedCode: string; expiresAt: string; send: number },
): Promise<SendOtpReply> {
  return app.get(CommandBus).execute(Object.assign(new SendOtpCommand(), fields));
}

async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError');
}

async function messagesTo(recipient: string) {
  return sql.rows<{ id: string; body: string; channel: string; dedupe_key: string }>(
    `SELECT id, body, channel, dedupe_key FROM notifications.messages WHERE recipient = $1 ORDER BY sent_at`,
    [recipient],
  );
}

async function getOutbox(app: NestFastifyApplication, query: string) {
  const response = await fetch(`${await app.getUrl()}/outbox${query}`);
  const text = await response.text();
  return {
    statusCode: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text,
    json: <T = unknown>() => JSON.parse(text) as T,
  };
}

describe('send-otp', () => {
  it('records an SMS whose body carries the 6 digits and the word "code"', async () => {
    const recipient = newPhone();
    const code = newCode();
    const reply = await sendOtp(on, { challengeId: randomUUID(), recipient, code, expiresAt: inFiveMinutes() });
    const [message, ...rest] = await messagesTo(recipient);
    expect(rest).toHaveLength(0);
    expect(message.id).toBe(reply.messageId);
    expect(message.channel).toBe('sms');
    expect(message.body).toContain(code);
    expect(message.body).toMatch(/\bcode\b/);
    expect(message.body).toContain('5 minutes');
  });

  it('is idempotent by challenge and send, also under concurrency', async () => {
    const recipient = newPhone();
    const command = { challengeId: randomUUID(), recipient, code: newCode(), expiresAt: inFiveMinutes() };
    const first = await sendOtp(on, command);
    const replays = await Promise.all(Array.from({ length: 5 }, () => sendOtp(on, command)));
    expect(replays.map((r) => r.messageId)).toEqual(Array(5).fill(first.messageId));
    expect(await messagesTo(recipient)).toHaveLength(1);
  });

  it('a resend (same challenge, next send, new code) is a new message', async () => {
    const recipient = newPhone();
    const challengeId = randomUUID();
    const first = await sendOtp(on, { challengeId, recipient, code: '111111', expiresAt: inFiveMinutes(), send: 1 });
    const second = await sendOtp(on, { challengeId, recipient, code: '222222', expiresAt: inFiveMinutes(), send: 2 });
    expect(second.messageId).not.toBe(first.messageId);
    expect((await messagesTo(recipient)).map((m) => m.body)).toEqual([
      expect.stringContaining('111111'),
      expect.stringContaining('222222'),
    ]);
  });

  it('masks the code in the stored body when the dev outbox is off, and keeps it out of the dedupe key', async () => {
    const sent = [
      { challengeId: randomUUID(), recipient: newPhone(), code: newCode() },
      { challengeId: randomUUID(), recipient: newPhone(), code: newCode() },
    ];
    if (sent[1].code === sent[0].code) sent[1].code = String((Number(sent[0].code) + 1) % 1_000_000).padStart(6, '0');
    const keys: string[] = [];
    for (const { challengeId, recipient, code } of sent) {
      await sendOtp(off, { challengeId, recipient, code, expiresAt: inFiveMinutes() });
      const [message] = await messagesTo(recipient);
      expect(message.body).not.toContain(code);
      expect(message.body).toContain('******');
      expect(message.body).toMatch(/\bcode\b/);
      keys.push(message.dedupe_key.replace(challengeId, '<challenge>'));
    }
    // Nothing derived from the code either (a hash of six digits is undone by trying all of them):
    // apart from the challenge, two different codes leave the same key.
    expect(keys[1]).toBe(keys[0]);
  });

  it('refuses a sealed code that does not open (other send, other challenge, other key, changed byte) with OTP_SEAL_INVALID, recording nothing', async () => {
    const recipient = newPhone();
    const challengeId = randomUUID();
    const sealed = sealOtpCode(sealKeys.publicKey, { challengeId, send: 1 }, newCode());
    const flipped = Buffer.from(sealed, 'base64url');
    flipped[flipped.length - 1] ^= 1;
    const refusals = [
      { challengeId, send: 2, sealedCode: sealed },
      { challengeId: randomUUID(), send: 1, sealedCode: sealed },
      { challengeId, send: 1, sealedCode: sealOtpCode(generateKeyPairSync('x25519').publicKey, { challengeId, send: 1 }, newCode()) },
      { challengeId, send: 1, sealedCode: flipped.toString('base64url') },
    ];
    for (const fields of refusals) {
      expect(await errorCodeOf(sendSealed(on, { ...fields, recipient, expiresAt: inFiveMinutes() }))).toBe('OTP_SEAL_INVALID');
    }
    expect(await messagesTo(recipient)).toHaveLength(0);
    // The untouched one still opens: the refusals above were about the seal, not the rest of the command.
    await sendSealed(on, { challengeId, send: 1, sealedCode: sealed, recipient, expiresAt: inFiveMinutes() });
    expect(await messagesTo(recipient)).toHaveLength(1);
  });

  it('words the lifetime in whole minutes, at least one', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(otpMessageBody('123456', new Date('2030-01-01T00:05:00Z'), now, true)).toBe(
      'Your bank login code is 123456. It expires in 5 minutes.',
    );
    expect(otpMessageBody('123456', new Date('2030-01-01T00:00:20Z'), now, true)).toContain('expires in 1 minute.');
    expect(otpMessageBody('123456', new Date('2030-01-01T00:05:00Z'), now, false)).not.toContain('123456');
  });
});

describe('GET /outbox', () => {
  it("lists a recipient's messages newest first, with the public fields only", async () => {
    const recipient = newPhone();
    const challengeId = randomUUID();
    const older = await sendOtp(on, { challengeId, recipient, code: '333333', expiresAt: inFiveMinutes(), send: 1 });
    const newer = await sendOtp(on, { challengeId, recipient, code: '444444', expiresAt: inFiveMinutes(), send: 2 });
    await sendOtp(on, { challengeId: randomUUID(), recipient: newPhone(), code: '555555', expiresAt: inFiveMinutes() });

    const response = await getOutbox(on, `?recipient=${encodeURIComponent(recipient)}`);
    expect(response.statusCode).toBe(200);
    const body = response.json<OutboxMessageView[]>();
    expect(body.map((m) => m.id)).toEqual([newer.messageId, older.messageId]);
    expect(Object.keys(body[0]).sort()).toEqual(['body', 'channel', 'id', 'recipient', 'sentAt']);
    expect(body[0]).toMatchObject({ recipient, channel: 'sms' });
    expect(body[0].body).toContain('444444');
    expect(new Date(body[0].sentAt).toISOString()).toBe(body[0].sentAt);
  });

  it('accepts the + of the phone unencoded', async () => {
    const recipient = newPhone();
    await sendOtp(on, { challengeId: randomUUID(), recipient, code: newCode(), expiresAt: inFiveMinutes() });
    const response = await getOutbox(on, `?recipient=${recipient}`);
    expect(response.statusCode).toBe(200);
    expect(response.json<OutboxMessageView[]>()).toHaveLength(1);
  });

  it('is bounded', async () => {
    const recipient = newPhone();
    const challengeId = randomUUID();
    for (let i = 0; i < OUTBOX_LIMIT + 3; i++) {
      await sendOtp(on, { challengeId, recipient, code: String(i).padStart(6, '0'), expiresAt: inFiveMinutes(), send: i + 1 });
    }
    const response = await getOutbox(on, `?recipient=${encodeURIComponent(recipient)}`);
    const body = response.json<OutboxMessageView[]>();
    expect(body).toHaveLength(OUTBOX_LIMIT);
    expect(body[0].body).toContain(String(OUTBOX_LIMIT + 2).padStart(6, '0'));
  });

  it('an unknown recipient has an empty outbox', async () => {
    const response = await getOutbox(on, `?recipient=${encodeURIComponent(newPhone())}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
  });

  it.each([
    ['a missing recipient', ''],
    ['a malformed recipient', '?recipient=not-a-phone'],
    ['a recipient without +', '?recipient=4915112345678'],
    ['an unknown parameter', `?recipient=${encodeURIComponent('+4915112345678')}&limit=5`],
  ])('%s -> 400 VALIDATION_FAILED problem', async (_name, query) => {
    const response = await getOutbox(on, query);
    expect(response.statusCode).toBe(400);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', instance: '/outbox' });
  });

  it('does not exist when the dev outbox is off', async () => {
    const recipient = newPhone();
    await sendOtp(off, { challengeId: randomUUID(), recipient, code: newCode(), expiresAt: inFiveMinutes() });
    const response = await getOutbox(off, `?recipient=${encodeURIComponent(recipient)}`);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain(recipient);
  });
});
