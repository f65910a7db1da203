import 'reflect-metadata';
import { bootstrap, loadConfigOrExit } from '@bank/common';
import { runServiceMigrations } from '@bank/database';
import { OrchestratorConfig } from './config/orchestrator.config.js';
import { orchestratorMigrations } from './migrations/index.js';
import { mountOpenApi } from './openapi/openapi.js';
import { ORCHESTRATOR_SCHEMA } from './orchestrator.schema.js';
import { OrchestratorModule } from './orchestrator.module.js';

const config = loadConfigOrExit(OrchestratorConfig, 'orchestrator');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: ORCHESTRATOR_SCHEMA, url: config.DATABASE_URL, migrations: orchestratorMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'orchestrator', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'orchestrator',
    module: OrchestratorModule.forRoot(config),
    httpPort: config.ORCHESTRATOR_HTTP_PORT,
    logLevel: config.LOG_LEVEL,
    configure: mountOpenApi,
  });
}
