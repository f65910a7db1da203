import { Controller, Get, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule, type HealthIndicatorFunction } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { metricsRegistry } from '../metrics/metrics.js';
import { AnyTlsClient } from '../tls/caller.guard.js';

/** Something /health should check besides the database, e.g. the broker connection. */
export interface HealthProbe {
  key: string;
  check(): Promise<void> | void;
}
export const HEALTH_PROBES = Symbol('HEALTH_PROBES');

// Kept free of @nestjs/swagger: loading it costs every app about a second of boot.
// No business data here: open to any TLS client, so probes need no certificate.
@AnyTlsClient()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    @Inject(HEALTH_PROBES) private readonly probes: HealthProbe[],
  ) {}

  /** 200 when the database (and, where used, the broker) answers; 503 otherwise. */
  @Get('health')
  // swaggerDocumentation off: it would load @nestjs/swagger (a second of boot) into every app.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  check() {
    const checks: HealthIndicatorFunction[] = [
      () =>
        this.indicators
          .check('database')
          .attempt(async () => {
            await this.dataSource.query('SELECT 1');
          })
          .withTimeout(1_000),
      ...this.probes.map(
        (probe) => () =>
          this.indicators
            .check(probe.key)
            .attempt(async () => {
              await probe.check();
            })
            .withTimeout(1_000),
      ),
    ];
    return this.health.check(checks);
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

export interface HealthModuleOptions {
  /** Builds the extra probes (e.g. the broker's) from providers of global modules. */
  useFactory?: (...deps: never[]) => HealthProbe[];
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
}

@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions = {}): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_PROBES, useFactory: options.useFactory ?? (() => []), inject: options.inject ?? [] }],
    };
  }
}
