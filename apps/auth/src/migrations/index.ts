import { CreateAuth1764300000000 } from './1764300000000-create-auth.migration.js';
import { OtpAbuseLimits1764300000100 } from './1764300000100-otp-abuse-limits.migration.js';
import { AuthOutboxParking1764900000000 } from './1764900000000-outbox-parking.migration.js';
import { ChallengesByExpiry1764900000100 } from './1764900000100-challenges-by-expiry.migration.js';
import { AuthTraceContext1765000000000 } from './1765000000000-trace-context.migration.js';

/** In order; the migrate step and the tests run exactly these. */
export const authMigrations = [
  CreateAuth1764300000000,
  OtpAbuseLimits1764300000100,
  AuthOutboxParking1764900000000,
  ChallengesByExpiry1764900000100,
  AuthTraceContext1765000000000,
];
