import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** Upper bound of any single amount, in minor units (contract: above 10^12 is invalid). */
export const MAX_AMOUNT = 1_000_000_000_000;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
/** Correlation ids accepted from outside; anything else is replaced by a fresh one. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fields every command carries: the request's correlation id travels with each hop. */
export abstract class RpcCommand {
  @IsOptional()
  @IsString()
  @Matches(CORRELATION_ID_PATTERN)
  correlationId?: string;
}

export function IsAmount(): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(1)(target, key);
    Max(MAX_AMOUNT)(target, key);
  };
}

export function IsCurrency(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Matches(CURRENCY_PATTERN, { message: `${String(key)} must be an ISO 4217 upper-case code` })(target, key);
  };
}

export function IsReference(): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsString()(target, key);
    MaxLength(140)(target, key);
  };
}

/** Trims nothing, coerces nothing: a helper so query strings can carry integers. */
export const ToInt = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));
