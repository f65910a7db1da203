import {
  Body,
  Controller,
  HttpCode,
  Injectable,
  Module,
  Post,
  type CallHandler,
  type DynamicModule,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { from, switchMap, type Observable } from 'rxjs';
import { InternalReads } from '@bank/contracts';
import { hasDevelopmentRules } from '../config/base.config.js';
import { InternalRead } from '../tls/caller.guard.js';
import { devFaults, type DevFaultState } from './dev-faults.js';

export class DevFaultsDto {
  @IsOptional() @IsBoolean() paused?: boolean;
  @IsOptional() @IsInt() @Min(0) @Max(100) refuseNext?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) delayMs?: number;
}

/** POST /dev/faults: switches this process's faults (the orchestrator's "break it" is its one caller). */
@Controller('dev')
export class DevFaultsController {
  @Post('faults')
  @HttpCode(200)
  @InternalRead(InternalReads.DevFaults)
  set(@Body() body: DevFaultsDto): DevFaultState {
    const patch: Partial<DevFaultState> = {};
    if (body.paused !== undefined) patch.paused = body.paused;
    if (body.refuseNext !== undefined) patch.refuseNext = body.refuseNext;
    if (body.delayMs !== undefined) patch.delayMs = body.delayMs;
    return devFaults.set(patch);
  }
}

/** Slows every TCP command by the injected delay ("slow a service down"); HTTP reads are left alone. */
@Injectable()
export class DevDelayInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc' || devFaults.delayMs === 0) return next.handle();
    return from(devFaults.delay()).pipe(switchMap(() => next.handle()));
  }
}

/**
 * The "break it" controls of an internal app: present only under development rules (NODE_ENV
 * development or test), so a production process has neither the route nor the interceptor.
 */
@Module({})
export class DevControlsModule {
  static forRoot(nodeEnv: string | undefined): DynamicModule {
    if (!hasDevelopmentRules(nodeEnv)) return { module: DevControlsModule };
    return {
      module: DevControlsModule,
      controllers: [DevFaultsController],
      providers: [{ provide: APP_INTERCEPTOR, useClass: DevDelayInterceptor }],
    };
  }
}
