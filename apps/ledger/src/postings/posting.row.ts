import type { PostingReply } from '@bank/contracts';

export type PostingKind = PostingReply['kind'];

/** A posting with its entries, as read by the replay checks; bigint arrives as string from pg. */
export interface PostingWithEntriesRow {
  id: string;
  kind: PostingKind;
  currency: string | null;
  /** [{account_id, amount}] aggregated by the query, amounts as JSON numbers. */
  entries: { account_id: string; amount: number }[];
}

/** Constraint names raised by the journal's triggers (see the migration). */
export const JournalConstraints = {
  PostingBalanced: 'posting_balanced',
  PostingComplete: 'posting_complete',
} as const;
