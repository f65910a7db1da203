import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Sse, UseGuards, type MessageEvent } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { map, type Observable } from 'rxjs';
import { UuidParam, type DevFaultState } from '@bank/common';
import { DomainError, E164_PATTERN, type OutboxMessageView } from '@bank/contracts';
import { AccessTokenGuard, CustomerId } from '../auth/access-token.guard.js';
import { TransferReads } from '../transfers/transfer-reads.service.js';
import { FAULTABLE_APPS, type FaultableApp, type InternalAnswer } from './internal-http.js';
import { SystemMonitor } from './system-monitor.service.js';
import { systemTopology } from './topology.js';
import type { UiInfo } from './ui.views.js';
import { TransferLiveService } from './transfer-live.service.js';
import { DevFaultBook, type InternalHttp, type UiSettings } from './ui.settings.js';
import { INTERNAL_HTTP, UI_SETTINGS } from './ui.tokens.js';

export class SmsQuery {
  @IsString() @Matches(E164_PATTERN, { message: 'phone must be in E.164 format' }) phone!: string;
}

export class FaultTarget {
  @IsIn(FAULTABLE_APPS) app!: FaultableApp;
}

export class DevFaultsBody {
  @IsOptional() @IsBoolean() paused?: boolean;
  @IsOptional() @IsInt() @Min(0) @Max(100) refuseNext?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) delayMs?: number;
}

/**
 * What the page at /ui/ reads: one live stream per open page (the system, or one transfer), and in
 * development the "try it" SMS and the "break it" controls. Not part of the public API (no OpenAPI).
 */
@ApiExcludeController()
@Controller('ui/api')
export class UiController {
  constructor(
    @Inject(UI_SETTINGS) private readonly settings: UiSettings,
    @Inject(INTERNAL_HTTP) private readonly http: InternalHttp,
    private readonly monitor: SystemMonitor,
    private readonly live: TransferLiveService,
    private readonly transfers: TransferReads,
    private readonly faults: DevFaultBook,
  ) {}

  /** Read once per page load: the mode, and the arrows /ui/system draws (they change only with a deploy). */
  @Get('info')
  info(): UiInfo {
    return { development: this.settings.development, topology: systemTopology() };
  }

  /** Health, rates, backlogs and queues of the seven services: one shared poller, one stream per page. */
  @Sse('system/stream')
  system(): Observable<MessageEvent> {
    return this.monitor.snapshots$.pipe(map((data) => ({ data })));
  }

  /** Both halves of one transfer, live until it is final and every subscriber answered. */
  @Sse('transfers/:id/stream')
  @UseGuards(AccessTokenGuard)
  async transfer(@CustomerId() customerId: string, @Param('id', UuidParam()) id: string): Promise<Observable<MessageEvent>> {
    // The same rule as GET /transfers/:id: the owners of either account, to anyone else it does not exist.
    await this.transfers.visible(id, customerId);
    return this.live.watch(id).pipe(map((data) => ({ data })));
  }

  /** The SMS notifications "sent" to a phone (the dev outbox): what a person would read on their phone. */
  @Get('dev/sms')
  async sms(@Query() query: SmsQuery): Promise<OutboxMessageView[]> {
    this.developmentOnly();
    const answer = await this.call(() =>
      this.http.get('notifications', `/outbox?recipient=${encodeURIComponent(query.phone)}`, this.settings.controlTimeoutMs),
    );
    if (answer.status !== 200) throw new DomainError('SERVICE_UNAVAILABLE', `notifications' dev outbox answered ${answer.status}`);
    return JSON.parse(answer.text) as OutboxMessageView[];
  }

  /** Each app's faults as it has them now (an empty control changes nothing and answers the state). */
  @Get('dev/faults')
  async faultsNow(): Promise<Partial<Record<FaultableApp, DevFaultState>>> {
    this.developmentOnly();
    await Promise.allSettled(
      FAULTABLE_APPS.map(async (app) => {
        const answer = await this.http.post(app, '/dev/faults', {}, this.settings.controlTimeoutMs);
        if (answer.status === 200) this.faults.record(app, JSON.parse(answer.text) as DevFaultState);
      }),
    );
    return this.faults.all();
  }

  /** "Break it": pause a subscriber, make the ledger refuse the next N postings, slow a service down. */
  @Post('dev/faults/:app')
  @HttpCode(200)
  async setFaults(@Param() target: FaultTarget, @Body() body: DevFaultsBody): Promise<DevFaultState> {
    this.developmentOnly();
    const answer = await this.call(() => this.http.post(target.app, '/dev/faults', body, this.settings.controlTimeoutMs));
    if (answer.status !== 200) throw new DomainError('SERVICE_UNAVAILABLE', `${target.app} answered ${answer.status} to its dev faults`);
    const state = JSON.parse(answer.text) as DevFaultState;
    this.faults.record(target.app, state);
    return state;
  }

  /** A service that does not answer is a 503 the page can show, not a 500. */
  private async call(send: () => Promise<InternalAnswer>): Promise<InternalAnswer> {
    try {
      return await send();
    } catch (error) {
      throw new DomainError('SERVICE_UNAVAILABLE', `No answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private developmentOnly(): void {
    if (!this.settings.development) throw new DomainError('DEVELOPMENT_ONLY', 'Available only when NODE_ENV is development or test');
  }
}
