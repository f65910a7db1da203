/** A challenge as verify reads it; the flags are computed by the database on its own clock. */
export interface ChallengeRow {
  id: string;
  phone: string;
  code_hash: Buffer;
  attempts: number;
  max_attempts: number;
  used: boolean;
  expired: boolean;
}

export const CHALLENGE_COLUMNS = `id, phone, code_hash, attempts, max_attempts, used_at IS NOT NULL AS used, expires_at <= now() AS expired`;
