import { CreateOrchestrator1764000000100 } from './1764000000100-create-orchestrator.migration.js';
import { AddTransferFinalEventId1764000000200 } from './1764000000200-add-transfer-final-event-id.migration.js';
import { SagaRowsRoomForHotUpdates1764000000300 } from './1764000000300-saga-rows-room-for-hot-updates.migration.js';
import { DepositsCanFail1764000000400 } from './1764000000400-deposits-can-fail.migration.js';
import { OrchestratorOutboxParking1764900000000 } from './1764900000000-outbox-parking.migration.js';
import { IdempotencyKeysExpire1764900000100 } from './1764900000100-idempotency-keys-expire.migration.js';
import { OrchestratorTraceContext1765000000000 } from './1765000000000-trace-context.migration.js';

export const orchestratorMigrations = [
  CreateOrchestrator1764000000100,
  AddTransferFinalEventId1764000000200,
  SagaRowsRoomForHotUpdates1764000000300,
  DepositsCanFail1764000000400,
  OrchestratorOutboxParking1764900000000,
  IdempotencyKeysExpire1764900000100,
  OrchestratorTraceContext1765000000000,
];
