import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '@bank/contracts';

/** A malformed id in a path is bad input (400 VALIDATION_FAILED), not a missing resource. */
export const UuidParam = () =>
  new ParseUUIDPipe({ version: undefined, exceptionFactory: (message: string) => new DomainError('VALIDATION_FAILED', message) });
