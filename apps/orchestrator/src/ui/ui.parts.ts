import type { Provider, Type } from '@nestjs/common';
import { hasDevelopmentRules, type TlsIdentity } from '@bank/common';
import type { OrchestratorConfig } from '../config/orchestrator.config.js';
import { InternalHttp } from './internal-http.js';
import { SystemMonitor } from './system-monitor.service.js';
import { TransferLiveService } from './transfer-live.service.js';
import { UiController } from './ui.controller.js';
import { DevFaultBook, type UiSettings } from './ui.settings.js';
import { INTERNAL_HTTP, UI_SETTINGS } from './ui.tokens.js';

/**
 * The page's server side, part of the orchestrator's module (it reads transfers and their timeline);
 * its static files are mounted by mountUi (ui.static.ts).
 */
export function uiParts(config: OrchestratorConfig, identity: TlsIdentity): { controllers: Type[]; providers: Provider[] } {
  const url = (host: string, port: number) => `https://${host}:${port}`;
  const http = new InternalHttp(
    {
      accounts: url(config.ACCOUNTS_HOST, config.ACCOUNTS_HTTP_PORT),
      ledger: url(config.LEDGER_HOST, config.LEDGER_HTTP_PORT),
      auth: url(config.AUTH_HOST, config.AUTH_HTTP_PORT),
      notifications: url(config.NOTIFICATIONS_HOST, config.NOTIFICATIONS_HTTP_PORT),
      audit: url(config.AUDIT_HOST, config.AUDIT_HTTP_PORT),
      analytics: url(config.ANALYTICS_HOST, config.ANALYTICS_HTTP_PORT),
    },
    identity,
  );
  const settings: UiSettings = {
    development: hasDevelopmentRules(config.NODE_ENV),
    pollMs: 1_000,
    timeoutMs: 800,
    controlTimeoutMs: 5_000,
  };
  return {
    controllers: [UiController],
    providers: [
      { provide: UI_SETTINGS, useValue: settings },
      { provide: INTERNAL_HTTP, useValue: http },
      DevFaultBook,
      SystemMonitor,
      TransferLiveService,
    ],
  };
}
