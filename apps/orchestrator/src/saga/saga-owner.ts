import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** This process's identity as a lease owner; unique per start so a restarted replica never inherits leases. */
export const SAGA_OWNER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
