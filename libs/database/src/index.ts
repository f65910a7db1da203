export * from './database.options.js';
export * from './run-migrations.js';
export * from './database.module.js';
export * from './pg-errors.js';
export * from './sql.js';
export * from './group-commit.js';
