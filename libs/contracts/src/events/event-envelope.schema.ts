import { Type } from 'class-transformer';
import { Equals, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

/** Validates an incoming envelope at the consumer before any handler sees it. */
export class EventEnvelopeDto {
  @IsUUID() id!: string;
  @IsString() @Matches(/^[a-z_]+\.[a-z_]+$/) type!: string;
  @Equals(1) version!: 1;
  @IsISO8601() occurredAt!: string;
  @IsString() @MaxLength(128) correlationId!: string;
  @IsOptional() @IsString() @MaxLength(128) causationId?: string;
  @IsObject() @Type(() => Object) data!: Record<string, unknown>;
}
