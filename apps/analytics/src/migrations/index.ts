import { CreateAnalytics1764600000000 } from './1764600000000-create-analytics.migration.js';
import { CreateAnalyticsAcknowledgementOutbox1764650000000 } from './1764650000000-create-acknowledgement-outbox.migration.js';
import { DropAnalyticsOutbox1764660000000 } from './1764660000000-drop-outbox.migration.js';
import { ExactCounters1764670000000 } from './1764670000000-exact-counters.migration.js';
import { AnalyticsInboxAttempts1765100000000 } from './1765100000000-inbox-attempts.migration.js';
import { AnalyticsInboxFailures1765200000000 } from './1765200000000-inbox-failures.migration.js';

/** In order; the migrate step and the tests run exactly these. */
export const analyticsMigrations = [
  CreateAnalytics1764600000000,
  CreateAnalyticsAcknowledgementOutbox1764650000000,
  DropAnalyticsOutbox1764660000000,
  ExactCounters1764670000000,
  AnalyticsInboxAttempts1765100000000,
  AnalyticsInboxFailures1765200000000,
];
