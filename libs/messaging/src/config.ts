// A light entry point: the subscriber apps' config classes extend these before anything heavy loads.
export * from './consumer/subscriber.config.js';
export * from './outbox/outbox-relay.config.js';
