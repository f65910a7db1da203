import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { E164_PATTERN } from '@bank/contracts';

/**
 * GET /outbox?recipient=<E.164>. A '+' typed unencoded in a URL arrives as a space (form encoding);
 * putting it back lets `?recipient=+4915...` work as people write it. Nothing else is coerced.
 */
export class ListOutboxQuery {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^ \d+$/.test(value) ? `+${value.slice(1)}` : value))
  @IsString()
  @Matches(E164_PATTERN, { message: 'recipient must be a phone number in E.164 format' })
  recipient!: string;
}
