import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsAmount, IsCurrency, RpcCommand } from '../common.js';

/**
 * Books a balanced double entry: debit `fromAccountId`, credit `toAccountId`. Idempotent by transferId.
 * Refuses with POSTING_VOIDED when a reversal for this transfer was booked first.
 */
export class PostTransferCommand extends RpcCommand {
  @IsUUID() transferId!: string;
  @IsUUID() fromAccountId!: string;
  @IsUUID() toAccountId!: string;
  @IsAmount() amount!: number;
  @IsCurrency() currency!: string;
}
export interface PostingReply {
  postingId: string;
  transferId: string;
  kind: 'TRANSFER' | 'REVERSAL' | 'DEPOSIT' | 'VOID';
}

/**
 * Compensation: books the reversing entry of a transfer's posting. Idempotent. When nothing was
 * booked it records a VOID marker instead, so that a late post for the same transfer is refused.
 */
export class ReverseTransferCommand extends RpcCommand {
  @IsUUID() transferId!: string;
}

/** Money entering from outside: debit the bank's settlement account, credit the customer's. */
export class PostDepositCommand extends RpcCommand {
  @IsUUID() depositId!: string;
  @IsUUID() accountId!: string;
  @IsAmount() amount!: number;
  @IsCurrency() currency!: string;
}

export class GetStatementQuery extends RpcCommand {
  @IsUUID() accountId!: string;
  @IsOptional() @IsInt() @Min(1) @Max(1000) limit?: number;
  @IsOptional() @IsString() @MaxLength(200) cursor?: string;
}
export interface StatementEntry {
  id: string;
  transferId: string;
  /** Signed: + credit, - debit. */
  amount: number;
  balanceAfter: number;
  postedAt: string;
}
export interface StatementReply {
  accountId: string;
  currency: string;
  balance: number;
  entries: StatementEntry[];
  nextCursor: string | null;
}

/** Compares every account's ledger balance with the accounts service's balance. */
export class ReconcileQuery extends RpcCommand {}
export interface ReconciliationMismatch {
  accountId: string;
  ledgerBalance: number | null;
  accountsBalance: number | null;
}
export interface ReconcileReply {
  ok: boolean;
  accountsChecked: number;
  mismatches: ReconciliationMismatch[];
  /** Per currency, the sum of every entry (must be 0: the journal is balanced). */
  journalTotals: Record<string, number>;
  checkedAt: string;
}
