import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BrokerConfig } from '@bank/common/config';

/** Config of an app that consumes events: the broker, plus consumer tuning with production defaults. */
export class SubscriberConfig extends BrokerConfig {
  /** Unacked messages the broker hands over at once; also the largest batch per transaction. */
  @IsInt()
  @Min(1)
  @Max(1000)
  EVENTS_PREFETCH = 50;

  /** Delay before retry 1, 2, ... of a failing event; after the last one it is parked in the DLQ. */
  @IsString()
  @Matches(/^\d{1,9}(,\d{1,9}){0,9}$/, { message: 'EVENTS_RETRY_DELAYS_MS must be comma-separated milliseconds' })
  EVENTS_RETRY_DELAYS_MS = '1000,5000,30000';

  /** Returns to the queue (crashes, lost channels) after which the broker parks a message. */
  @IsInt()
  @Min(2)
  @Max(1000)
  EVENTS_DELIVERY_LIMIT = 10;
}

/** ROLE_PREFIX's default (BrokerConfig), for subscribers configured without a BrokerConfig. */
export const DEFAULT_ROLE_PREFIX = new SubscriberConfig().ROLE_PREFIX;

export interface SubscriberTuning {
  prefetch: number;
  retryDelaysMs: number[];
  deliveryLimit: number;
}

/** Works on any BrokerConfig: a subscriber added to an app whose config does not extend SubscriberConfig gets the defaults. */
export function subscriberTuningFrom(config: object): SubscriberTuning {
  const defaults = new SubscriberConfig();
  const c = { ...defaults, ...config };
  return {
    prefetch: c.EVENTS_PREFETCH,
    retryDelaysMs: c.EVENTS_RETRY_DELAYS_MS.split(',').map(Number),
    deliveryLimit: c.EVENTS_DELIVERY_LIMIT,
  };
}
