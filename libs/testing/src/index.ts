export * from './eventually.js';
export * from './tcp-proxy.js';
export * from './test-database.js';
