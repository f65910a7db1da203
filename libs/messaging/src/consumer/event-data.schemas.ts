import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { EventTypes, IsAmount, IsCurrency, type EventType } from '@bank/contracts';

/**
 * Shapes of each known event's `data`, checked at the consumer after the envelope: an event whose
 * data a handler cannot use is parked at once instead of failing in the handler on every retry.
 * Extra fields are allowed (a producer may add fields before its consumers learn them).
 */
export class CustomerRegisteredDataDto {
  @IsUUID() customerId!: string;
  @IsString() @MaxLength(32) phone!: string;
}
export class AccountOpenedDataDto {
  @IsUUID() accountId!: string;
  @IsUUID() customerId!: string;
  @IsCurrency() currency!: string;
}
export class DepositCompletedDataDto {
  @IsUUID() depositId!: string;
  @IsUUID() accountId!: string;
  @IsUUID() customerId!: string;
  @IsAmount() amount!: number;
  @IsCurrency() currency!: string;
}
export class TransferCompletedDataDto {
  @IsUUID() transferId!: string;
  @IsUUID() fromAccountId!: string;
  @IsUUID() toAccountId!: string;
  @IsUUID() fromCustomerId!: string;
  @IsUUID() toCustomerId!: string;
  @IsAmount() amount!: number;
  @IsCurrency() currency!: string;
  @IsOptional() @IsString() @MaxLength(140) reference!: string | null;
}
export class TransferFailedDataDto {
  @IsUUID() transferId!: string;
  @IsUUID() fromAccountId!: string;
  @IsUUID() toAccountId!: string;
  @IsUUID() fromCustomerId!: string;
  @IsAmount() amount!: number;
  @IsCurrency() currency!: string;
  @IsString() @MaxLength(64) failureCode!: string;
}
export class OtpVerifiedDataDto {
  @IsUUID() challengeId!: string;
  @IsUUID() customerId!: string;
}
export class OtpLockedDataDto {
  @IsUUID() challengeId!: string;
}

export const EVENT_DATA_SCHEMAS: Record<EventType, new () => object> = {
  [EventTypes.CustomerRegistered]: CustomerRegisteredDataDto,
  [EventTypes.AccountOpened]: AccountOpenedDataDto,
  [EventTypes.DepositCompleted]: DepositCompletedDataDto,
  [EventTypes.TransferCompleted]: TransferCompletedDataDto,
  [EventTypes.TransferFailed]: TransferFailedDataDto,
  [EventTypes.OtpVerified]: OtpVerifiedDataDto,
  [EventTypes.OtpLocked]: OtpLockedDataDto,
};

export const KNOWN_EVENT_TYPES: readonly string[] = Object.values(EventTypes);
export const isKnownEventType = (type: string): type is EventType => KNOWN_EVENT_TYPES.includes(type);
