import { Injectable } from '@nestjs/common';
import type { DevFaultState } from '@bank/common';
import type { FaultableApp, InternalHttp } from './internal-http.js';

export interface UiSettings {
  /** NODE_ENV development or test: "try it" and "break it" exist; otherwise they answer 403 DEVELOPMENT_ONLY. */
  development: boolean;
  /** How often the one system poller reads every service while a page is open. */
  pollMs: number;
  /** Per read of a service by the poller (health, metrics): a slow answer waits for the next round. */
  timeoutMs: number;
  /** Per control or SMS read a person asked for: worth waiting longer than a poll. */
  controlTimeoutMs: number;
}

export type { InternalHttp };

/**
 * What "break it" last set on each app, as the app answered it. The orchestrator is the only caller
 * of POST /dev/faults, so this is what the page shows (a restarted app is at rest again, and says so
 * at the next control).
 */
@Injectable()
export class DevFaultBook {
  private readonly states = new Map<FaultableApp, DevFaultState>();

  record(app: FaultableApp, state: DevFaultState): void {
    this.states.set(app, state);
  }

  of(app: FaultableApp): DevFaultState | undefined {
    return this.states.get(app);
  }

  all(): Partial<Record<FaultableApp, DevFaultState>> {
    return Object.fromEntries(this.states);
  }
}
