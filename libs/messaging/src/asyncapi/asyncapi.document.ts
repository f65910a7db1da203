import { dump } from 'js-yaml';
import {
  ALL_EVENT_TYPES,
  EVENT_JSON_SCHEMAS,
  EVENT_PRODUCERS,
  EVENT_SUBSCRIPTIONS,
  EVENTS_EXCHANGE,
  envelopeSchema,
  type EventType,
  type JsonSchema,
} from '@bank/contracts';
import { subscriberTuningFrom } from '../consumer/subscriber.config.js';
import { formatDelay, queueArguments, subscriberTopology, type SubscriberTopology } from '../consumer/subscriber.topology.js';

/**
 * The AsyncAPI 3 document of the events, built from @bank/contracts (types, data schemas, who
 * publishes and who subscribes) and from this library's topology (queue names, retry and
 * dead-letter queues, their arguments, the default tuning). `npm run docs:asyncapi` writes it to
 * docs/asyncapi.yaml (a test fails when that file is stale); the orchestrator serves it at
 * GET /docs/asyncapi.yaml.
 */

const AMQP_BINDING_VERSION = '0.3.0';
const VHOST = '/';

/** transfer.completed -> TransferCompleted; auth.otp_verified -> AuthOtpVerified. */
export function messageName(type: string): string {
  return type
    .split(/[._]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

const channelKey = (type: string) => messageName(type).charAt(0).toLowerCase() + messageName(type).slice(1);

/** The subscribers' topology with the default tuning (EVENTS_RETRY_DELAYS_MS, EVENTS_DELIVERY_LIMIT). */
export function subscriberTopologies(): SubscriberTopology[] {
  const tuning = subscriberTuningFrom({});
  return Object.entries(EVENT_SUBSCRIPTIONS).map(([subscriber, bindings]) =>
    subscriberTopology({
      subscriber,
      exchange: EVENTS_EXCHANGE,
      bindings: [...bindings],
      retryDelaysMs: tuning.retryDelaysMs,
      deliveryLimit: tuning.deliveryLimit,
    }),
  );
}

/** The types a routing pattern of this system takes: an event type itself, or `#`. */
export function typesBoundBy(bindings: readonly string[]): EventType[] {
  return bindings.includes('#') ? [...ALL_EVENT_TYPES] : ALL_EVENT_TYPES.filter((type) => bindings.includes(type));
}

const headersSchema: JsonSchema = {
  type: 'object',
  required: ['x-correlation-id'],
  properties: {
    'x-correlation-id': { type: 'string', description: "the envelope's correlationId (also the AMQP correlation-id property)" },
    'x-causation-id': { type: 'string', description: "the envelope's causationId, when it has one" },
    traceparent: { type: 'string', description: 'W3C trace context of the request that caused the event, once tracing is on' },
    tracestate: { type: 'string', description: 'W3C trace state beside traceparent, when the trace carries one' },
    'x-retry-count': {
      type: 'integer',
      minimum: 1,
      description: 'in a retry queue and after: how many times this subscriber tried and failed',
    },
    'x-last-error': { type: 'string', description: 'in a retry queue and after: why the last try failed' },
    'x-parked-reason': { type: 'string', description: 'in a dead-letter queue: why it was parked' },
    'x-parked-at': { type: 'string', format: 'date-time', description: 'in a dead-letter queue: when' },
    'x-parked-by': { type: 'string', description: 'in a dead-letter queue: the subscriber that parked it' },
    'x-published-by': {
      type: 'string',
      description:
        'in a retry or dead-letter queue: the broker user that first published the event (the move is published as the subscriber itself, which the subscriber trusts this header only from)',
    },
  },
};

function message(type: EventType): JsonSchema {
  const schema = EVENT_JSON_SCHEMAS[type];
  const example = schema.examples[0];
  const correlationId = 'c0ffee00-1234-4abc-8def-000000000001';
  return {
    name: type,
    title: type,
    summary: schema.description,
    description:
      `Published by ${EVENT_PRODUCERS[type]} through its transactional outbox (AMQP app-id \`${EVENT_PRODUCERS[type]}\`), ` +
      `to exchange \`${EVENTS_EXCHANGE}\` with routing key \`${type}\`. AMQP properties: message-id = envelope id, ` +
      'type = routing key, correlation-id = envelope correlationId, content-type application/json, persistent, timestamp = occurredAt, ' +
      `user-id = the producer's own broker user (\`<ROLE_PREFIX>${EVENT_PRODUCERS[type]}\`, by default \`bank_${EVENT_PRODUCERS[type]}\`): ` +
      "the broker refuses a user-id that is not the connection's user, and every subscriber parks, without applying it, " +
      'a message whose user-id is not the producer of its type.',
    contentType: 'application/json',
    correlationId: { description: 'the request or saga that caused the event', location: '$message.header#/x-correlation-id' },
    headers: headersSchema,
    payload: { ...envelopeSchema(type, { $ref: `#/components/schemas/${messageName(type)}Data` }), title: `${messageName(type)}Envelope` },
    bindings: { amqp: { messageType: type, bindingVersion: AMQP_BINDING_VERSION } },
    examples: [
      {
        name: `${channelKey(type)}Example`,
        headers: { 'x-correlation-id': correlationId },
        payload: {
          id: '7b1e3f5a-9c2d-4e6f-8a0b-1c3d5e7f9a2b',
          type,
          version: 1,
          occurredAt: '2026-12-01T12:00:00.000Z',
          correlationId,
          data: example,
        },
      },
    ],
  };
}

const exchangeBinding = {
  amqp: {
    is: 'routingKey',
    exchange: { name: EVENTS_EXCHANGE, type: 'topic', durable: true, autoDelete: false, vhost: VHOST },
    bindingVersion: AMQP_BINDING_VERSION,
  },
};

const queueBinding = (name: string) => ({
  amqp: {
    is: 'queue',
    queue: { name, durable: true, exclusive: false, autoDelete: false, vhost: VHOST },
    bindingVersion: AMQP_BINDING_VERSION,
  },
});

const messageRefs = (types: readonly EventType[]) =>
  Object.fromEntries(types.map((type) => [messageName(type), { $ref: `#/components/messages/${messageName(type)}` }]));

const operationMessages = (channel: string, types: readonly EventType[]) =>
  types.map((type) => ({ $ref: `#/channels/${channel}/messages/${messageName(type)}` }));

export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  for (const type of ALL_EVENT_TYPES) {
    const key = channelKey(type);
    const subscribers = subscriberTopologies()
      .filter((t) => typesBoundBy(t.bindings).includes(type))
      .map((t) => t.subscriber);
    channels[key] = {
      address: type,
      title: `${type} on ${EVENTS_EXCHANGE}`,
      description: `Routing key \`${type}\` on the topic exchange \`${EVENTS_EXCHANGE}\`. Published by ${EVENT_PRODUCERS[type]}; bound by ${subscribers.join(', ')}.`,
      messages: messageRefs([type]),
      bindings: exchangeBinding,
    };
    operations[`${EVENT_PRODUCERS[type]}Publishes${messageName(type)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${key}` },
      title: `${EVENT_PRODUCERS[type]} publishes ${type}`,
      summary: `The outbox relay of ${EVENT_PRODUCERS[type]} publishes ${type} with publisher confirms, at least once.`,
      messages: operationMessages(key, [type]),
      bindings: { amqp: { deliveryMode: 2, mandatory: true, timestamp: true, bindingVersion: AMQP_BINDING_VERSION } },
    };
  }

  for (const topology of subscriberTopologies()) {
    const types = typesBoundBy(topology.bindings);
    const args = queueArguments(topology);
    const s = topology.subscriber;
    const mainKey = `${s}Queue`;
    channels[mainKey] = {
      address: topology.queue,
      title: `${topology.queue} (${s})`,
      description:
        `Quorum queue of ${s}, bound to \`${EVENTS_EXCHANGE}\` with ${topology.bindings.map((b) => `\`${b}\``).join(', ')}. ` +
        `After ${topology.deliveryLimit} returns (consumer crashes) the broker dead-letters a message to \`${topology.deadLetterQueue}\`.`,
      messages: messageRefs(types),
      bindings: queueBinding(topology.queue),
      'x-queue-arguments': args.main,
      'x-routing-patterns': topology.bindings,
    };
    operations[`${s}Receives`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${mainKey}` },
      title: `${s} consumes its queue`,
      summary: `${s} applies each event once (inbox by event id, in the same transaction as its work), then acks.`,
      messages: operationMessages(mainKey, types),
      bindings: { amqp: { ack: true, bindingVersion: AMQP_BINDING_VERSION } },
    };
    topology.retryQueues.forEach((retry, index) => {
      const key = `${s}Retry${formatDelay(retry.delayMs)}`;
      channels[key] = {
        address: retry.name,
        title: `${retry.name} (${s}, retry after ${formatDelay(retry.delayMs)})`,
        description: `A failing event waits here ${formatDelay(retry.delayMs)} (message TTL), then goes back to \`${topology.queue}\` only (default exchange).`,
        messages: messageRefs(types),
        bindings: queueBinding(retry.name),
        'x-queue-arguments': args.retry(retry.delayMs),
      };
      operations[`${s}Retries${index + 1}`] = {
        action: 'send',
        channel: { $ref: `#/channels/${key}` },
        title: `${s} retries later (try ${index + 2})`,
        summary: `${s} republishes a failing event through the default exchange, with x-retry-count and x-last-error.`,
        messages: operationMessages(key, types),
      };
    });
    const dlqKey = `${s}DeadLetters`;
    channels[dlqKey] = {
      address: topology.deadLetterQueue,
      title: `${topology.deadLetterQueue} (${s}, parked)`,
      description:
        `Parked events of ${s}: malformed, unknown or unusable ones at once, failing ones after the last retry. ` +
        `\`npm run redrive -- ${s}\` moves them back to \`${topology.queue}\`.`,
      messages: messageRefs(types),
      bindings: queueBinding(topology.deadLetterQueue),
      'x-queue-arguments': args.deadLetter,
    };
    operations[`${s}Parks`] = {
      action: 'send',
      channel: { $ref: `#/channels/${dlqKey}` },
      title: `${s} parks an event`,
      summary: `${s} moves an event it can never apply to its dead-letter queue, with x-parked-reason.`,
      messages: operationMessages(dlqKey, types),
    };
  }

  return {
    asyncapi: '3.1.0',
    id: 'urn:bank-microservices:events',
    info: {
      title: 'Bank events',
      version: '1',
      description:
        'The choreographed half of the banking system: business events on the RabbitMQ topic exchange ' +
        `\`${EVENTS_EXCHANGE}\`, routing key = event type, body = the JSON envelope. Each subscriber has its own durable ` +
        'queue `<subscriber>.events`, retry queues `<subscriber>.events.retry.<delay>` and a dead-letter queue `<subscriber>.events.dlq`. ' +
        'A new subscriber binds a queue of its own to the routing keys of the channels below (or `#`), dedupes by envelope id, and ' +
        'validates each message against its schema. Generated from libs/contracts by `npm run docs:asyncapi`.',
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      tags: [{ name: 'choreography' }],
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:5672',
        protocol: 'amqp',
        protocolVersion: '0.9.1',
        description: 'RabbitMQ of npm run start:all and docker compose (AMQP_URL, EVENTS_EXCHANGE); vhost `/`',
      },
    },
    channels,
    operations,
    components: {
      schemas: Object.fromEntries(ALL_EVENT_TYPES.map((type) => [`${messageName(type)}Data`, EVENT_JSON_SCHEMAS[type]])),
      messages: Object.fromEntries(ALL_EVENT_TYPES.map((type) => [messageName(type), message(type)])),
    },
  };
}

/** The document as docs/asyncapi.yaml holds it (and GET /docs/asyncapi.yaml serves it). */
export function asyncApiYaml(): string {
  return (
    '# Generated from libs/contracts by `npm run docs:asyncapi`; do not edit (a test fails when it is stale).\n' +
    dump(asyncApiDocument(), { noRefs: true, lineWidth: 120 })
  );
}
