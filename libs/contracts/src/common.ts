import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';

/** Upper bound of any single amount, in minor units (contract: above 10^12 is invalid). */
export const MAX_AMOUNT = 1_000_000_000_000;
/** Cap of any balance, in minor units: JSON numbers stay exact. The schemas' CHECK constraints hold the same number. */
export const MAX_BALANCE = Number.MAX_SAFE_INTEGER;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
/** Correlation ids accepted from outside; anything else is replaced by a fresh one. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** W3C Trace Context, version 00: `00-<trace id>-<parent span id>-<flags>`. */
export const TRACEPARENT_FIELD_PATTERN = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Fields every command carries: the request's correlation id travels with each hop, and beside it
 * the caller's W3C trace context (when tracing is on), so the server's span joins the caller's trace.
 */
export abstract class RpcCommand {
  @IsOptional()
  @IsString()
  @Matches(CORRELATION_ID_PATTERN)
  correlationId?: string;

  @IsOptional()
  @IsString()
  @Matches(TRACEPARENT_FIELD_PATTERN)
  traceparent?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  tracestate?: string;
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

/** C0 and C1 control characters and DEL: invisible, they break logs, terminals and jsonb (\u0000). */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one (no `u` flag: code units). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text a person could have typed: no control character and no lone surrogate (half of a UTF-16
 * pair, which no encoding can write and Postgres refuses). The one check for every free-text field.
 */
export function isFreeText(value: unknown): value is string {
  return typeof value === 'string' && !LONE_SURROGATE.test(value) && !CONTROL_CHARACTER.test(value);
}

export function IsFreeText(): PropertyDecorator {
  return ValidateBy({
    name: 'isFreeText',
    validator: {
      validate: (value) => isFreeText(value),
      defaultMessage: (args) => `${args?.property ?? 'value'} must be text without control characters or lone surrogates`,
    },
  });
}

export function IsReference(): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsString()(target, key);
    MaxLength(140)(target, key);
    IsFreeText()(target, key);
  };
}

/**
 * An id from outside: a UUID of any letter case, kept in lower case so that ids compare as the
 * database compares them (uuid columns ignore case; JavaScript's === does not).
 */
export function IsId(): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))(target, key);
    IsUUID()(target, key);
  };
}

/** Trims nothing, coerces nothing: a helper so query strings can carry integers. */
export const ToInt = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));
