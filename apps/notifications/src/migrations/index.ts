import { CreateMessages1764400000000 } from './1764400000000-create-messages.migration.js';
import { CreateNotices1764450000000 } from './1764450000000-create-notices.migration.js';
import { CreateNotificationsAcknowledgementOutbox1764460000000 } from './1764460000000-create-acknowledgement-outbox.migration.js';
import { DropNotificationsOutbox1764470000000 } from './1764470000000-drop-outbox.migration.js';
import { MessagesByAge1764900000000 } from './1764900000000-messages-by-age.migration.js';
import { NotificationsInboxAttempts1765100000000 } from './1765100000000-inbox-attempts.migration.js';
import { NotificationsInboxFailures1765200000000 } from './1765200000000-inbox-failures.migration.js';

/** In order; the migrate step and the tests run exactly these. Later migrations go after this one. */
export const notificationsMigrations = [
  CreateMessages1764400000000,
  CreateNotices1764450000000,
  CreateNotificationsAcknowledgementOutbox1764460000000,
  DropNotificationsOutbox1764470000000,
  MessagesByAge1764900000000,
  NotificationsInboxAttempts1765100000000,
  NotificationsInboxFailures1765200000000,
];
