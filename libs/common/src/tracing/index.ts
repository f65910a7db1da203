export * from './tracing.js';
export * from './tracing-settings.js';
