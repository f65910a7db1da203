import { IsArray, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { IsAmount, IsCurrency, RpcCommand } from '../common.js';

/** An account as every service and the public API see it. Amounts are integer minor units. */
export interface AccountView {
  id: string;
  customerId: string;
  currency: string;
  balance: number;
  availableBalance: number;
  createdAt: string;
}

/** Refused with ACCOUNT_LIMIT_REACHED when the customer has as many accounts as one may open. */
export class OpenAccountCommand extends RpcCommand {
  @IsUUID() customerId!: string;
  @IsCurrency() currency!: string;
}
export type OpenAccountReply = AccountView;

/** When customerId is given the account must belong to it, else ACCOUNT_NOT_FOUND (no existence leak). */
export class GetAccountQuery extends RpcCommand {
  @IsUUID() accountId!: string;
  @IsOptional() @IsUUID() customerId?: string;
}
export type GetAccountReply = AccountView;

/** The customer's accounts, oldest first, `limit` at a time after the account `afterAccountId` (the last of the previous page). */
export class ListAccountsQuery extends RpcCommand {
  @IsUUID() customerId!: string;
  @IsOptional() @IsUUID() afterAccountId?: string;
  /** A page of at most 1000, plus one to tell whether more follow. */
  @IsOptional() @IsInt() @Min(1) @Max(1_001) limit?: number;
}
export type ListAccountsReply = AccountView[];

/**
 * Puts a hold of `amount` on the source (availableBalance drops, balance stays), like the pending
 * half of a two-phase transfer. Idempotent by transferId. Refusals: ACCOUNT_NOT_FOUND (source not
 * owned by customerId: details.side = 'source'; destination missing: details.side = 'destination'),
 * CURRENCY_MISMATCH, INSUFFICIENT_FUNDS, INVALID_STATE (the hold was already released).
 */
export class ReserveFundsCommand extends RpcCommand {
  @IsUUID() transferId!: string;
  @IsUUID() customerId!: string;
  @IsUUID() fromAccountId!: string;
  @IsUUID() toAccountId!: string;
  @IsAmount() amount!: number;
  @IsCurrency() currency!: string;
}
export interface ReserveFundsReply {
  transferId: string;
  status: 'RESERVED' | 'CAPTURED';
  /** Owner of the destination: events and notifications need it. */
  toCustomerId: string;
}

/** Captures the hold: source balance -= amount, destination balance and available += amount. Idempotent. */
export class CommitFundsCommand extends RpcCommand {
  @IsUUID() transferId!: string;
}
export interface CommitFundsReply {
  transferId: string;
  status: 'CAPTURED';
}

/**
 * Compensation: gives a reserved hold back. Idempotent; on an unknown transfer it leaves a tombstone
 * so that a reserve arriving late can never take the money. Refuses (INVALID_STATE) a captured hold.
 */
export class ReleaseFundsCommand extends RpcCommand {
  @IsUUID() transferId!: string;
}
export interface ReleaseFundsReply {
  transferId: string;
  status: 'RELEASED';
}

/** Money entering from outside: balance and available += amount. Idempotent by depositId. */
export class CreditDepositCommand extends RpcCommand {
  @IsUUID() depositId!: string;
  @IsUUID() accountId!: string;
  @IsAmount() amount!: number;
  @IsCurrency() currency!: string;
}
export type CreditDepositReply = AccountView;

/** For reconciliation: every account's balance, paged by id. */
export class ListBalancesQuery extends RpcCommand {
  @IsOptional() @IsUUID() afterAccountId?: string;
  @IsOptional() @IsInt() @Min(1) @Max(10_000) limit?: number;
  @IsOptional() @IsArray() @IsUUID('all', { each: true }) accountIds?: string[];
}
export interface AccountBalance {
  accountId: string;
  currency: string;
  balance: number;
  availableBalance: number;
}
export type ListBalancesReply = AccountBalance[];
