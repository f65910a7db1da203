// A light entry point (no Nest, no Fastify): apps validate their environment before loading anything heavy.
export * from './load-config.js';
export * from './base.config.js';
