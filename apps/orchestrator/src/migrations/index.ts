import { CreateOrchestrator1764000000100 } from './1764000000100-create-orchestrator.migration.js';

export const orchestratorMigrations = [CreateOrchestrator1764000000100];
