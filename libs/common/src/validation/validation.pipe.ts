import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from '@bank/contracts';

function flatten(errors: ValidationError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Keys class-transformer skips silently instead of reporting them as unknown. */
const FORBIDDEN_KEYS = ['constructor', 'prototype', '__proto__'];

function forbiddenKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return FORBIDDEN_KEYS.find((key) => Object.prototype.hasOwnProperty.call(value, key));
}

/**
 * Strict validation for HTTP bodies and RPC payloads alike: unknown fields are refused, nothing is
 * coerced, and the failure is a VALIDATION_FAILED DomainError listing each field.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const key = forbiddenKey(value);
    if (key !== undefined) {
      throw new DomainError('VALIDATION_FAILED', `${key}: property ${key} should not exist`, {
        errors: [{ field: key, problems: ['should not exist'] }],
      });
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const detail = fields.map((f) => `${f.field}: ${f.problems.join(', ')}`).join('; ');
      return new DomainError('VALIDATION_FAILED', detail || 'Invalid input', { errors: fields });
    },
  });
}
