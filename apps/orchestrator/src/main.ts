import 'reflect-metadata';
import { loadConfigOrExit } from '@bank/common/config';
import { OrchestratorConfig } from './config/orchestrator.config.js';

const config = loadConfigOrExit(OrchestratorConfig, 'orchestrator');

// Only now the heavy modules (Nest, TypeORM, ...): a bad variable above fails the boot at once, naming it.
const { bootstrap } = await import('@bank/common');
const { runServiceMigrations } = await import('@bank/database');
const { orchestratorMigrations } = await import('./migrations/index.js');
const { mountOpenApi } = await import('./openapi/openapi.js');
const { ORCHESTRATOR_SCHEMA } = await import('./orchestrator.schema.js');
const { OrchestratorModule } = await import('./orchestrator.module.js');
const { mountUi } = await import('./ui/ui.static.js');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: ORCHESTRATOR_SCHEMA, url: config.DATABASE_URL, migrations: orchestratorMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'orchestrator', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'orchestrator',
    module: OrchestratorModule.forRoot(config),
    httpPort: config.ORCHESTRATOR_HTTP_PORT,
    bindHost: config.BIND_HOST,
    certsDir: config.CERTS_DIR,
    trustProxy: config.TRUST_PROXY.split(',')
      .map((proxy) => proxy.trim())
      .filter(Boolean),
    logLevel: config.LOG_LEVEL,
    publicHttp: true,
    configure: async (app) => {
      mountOpenApi(app);
      await mountUi(app);
    },
  });
}
