import { ConfigError, loadConfig } from '@bank/common';
import { applyDevOutboxDefault, NotificationsConfig } from './notifications.config.js';

const load = (env: NodeJS.ProcessEnv) => loadConfig(NotificationsConfig, applyDevOutboxDefault({ ...env }));

describe('NotificationsConfig', () => {
  it('has the documented ports and the dev outbox on by default under development rules', () => {
    expect(load({ NODE_ENV: 'development' })).toMatchObject({
      NOTIFICATIONS_TCP_PORT: 4004,
      NOTIFICATIONS_HTTP_PORT: 3004,
      NOTIFICATIONS_DEV_OUTBOX: true,
    });
    expect(load({ NODE_ENV: 'test' }).NOTIFICATIONS_DEV_OUTBOX).toBe(true);
  });

  it('turns the dev outbox off by default in production, and when NODE_ENV is unset', () => {
    expect(load({ NODE_ENV: 'production' }).NOTIFICATIONS_DEV_OUTBOX).toBe(false);
    expect(load({})).toMatchObject({ NODE_ENV: 'production', NOTIFICATIONS_DEV_OUTBOX: false });
    // Without the helper too: the class's own default is off.
    expect(loadConfig(NotificationsConfig, {}).NOTIFICATIONS_DEV_OUTBOX).toBe(false);
  });

  it('reads an explicit value', () => {
    expect(load({ NODE_ENV: 'development', NOTIFICATIONS_DEV_OUTBOX: 'false' }).NOTIFICATIONS_DEV_OUTBOX).toBe(false);
    expect(load({ NODE_ENV: 'test', NOTIFICATIONS_DEV_OUTBOX: 'true' }).NOTIFICATIONS_DEV_OUTBOX).toBe(true);
  });

  it('refuses the dev outbox in production, and when NODE_ENV is unset', () => {
    expect(() => load({ NODE_ENV: 'production', NOTIFICATIONS_DEV_OUTBOX: 'true' })).toThrow(ConfigError);
    expect(() => load({ NODE_ENV: 'production', NOTIFICATIONS_DEV_OUTBOX: 'true' })).toThrow(/NOTIFICATIONS_DEV_OUTBOX/);
    expect(() => load({ NOTIFICATIONS_DEV_OUTBOX: 'true' })).toThrow(/NOTIFICATIONS_DEV_OUTBOX/);
  });

  it('refuses a value that is not a boolean', () => {
    expect(() => load({ NODE_ENV: 'test', NOTIFICATIONS_DEV_OUTBOX: 'yes' })).toThrow(/NOTIFICATIONS_DEV_OUTBOX/);
  });
});
