import { type ArgumentMetadata, ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '@bank/contracts';

/** Ids leave the edge in lower case, as `IsId()` leaves body fields: they compare as the database compares them. */
class LowerCaseUuidPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    // A path parameter is always there (the route would not match without it): the parent returns it checked.
    return String(await super.transform(value, metadata)).toLowerCase();
  }
}

/** A malformed id in a path is bad input (400 VALIDATION_FAILED), not a missing resource. */
export const UuidParam = () =>
  new LowerCaseUuidPipe({ version: undefined, exceptionFactory: (message: string) => new DomainError('VALIDATION_FAILED', message) });
