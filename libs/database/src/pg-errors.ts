/** SQLSTATE codes the services branch on. */
export const PgErrorCodes = {
  UniqueViolation: '23505',
  CheckViolation: '23514',
  ForeignKeyViolation: '23503',
  RaiseException: 'P0001',
  SerializationFailure: '40001',
  DeadlockDetected: '40P01',
} as const;

export function pgErrorCode(error: unknown): string | undefined {
  const driverError = (error as { driverError?: { code?: unknown } })?.driverError ?? error;
  const code = (driverError as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A constraint's name, to tell which invariant refused a write. */
export function pgConstraint(error: unknown): string | undefined {
  const driverError = (error as { driverError?: { constraint?: unknown } })?.driverError ?? error;
  const constraint = (driverError as { constraint?: unknown })?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}
