import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from '@bank/contracts';

function flatten(errors: ValidationError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Strict validation for HTTP bodies and RPC payloads alike: unknown fields are refused, nothing is
 * coerced, and the failure is a VALIDATION_FAILED DomainError listing each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
