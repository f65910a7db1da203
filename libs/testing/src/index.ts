export * from './tcp-proxy.js';
export * from './service-test-database.js';
