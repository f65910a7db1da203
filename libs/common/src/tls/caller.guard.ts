import { Injectable, Logger, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError, type InternalRead as InternalReadEntry, type ServiceIdentity } from '@bank/contracts';
import { peerIdentity } from './tls-identity.js';

const ALLOWED_CALLERS = 'bank:allowed-callers';
type Allowed = readonly ServiceIdentity[] | 'any-tls-client';

/** A business read of an internal port, open to the identities its InternalReads entry lists. */
export const InternalRead = (read: InternalReadEntry) => SetMetadata(ALLOWED_CALLERS, read.callers satisfies Allowed);

/** A route without business data (/health, /metrics): any TLS client, with or without a certificate. */
export const AnyTlsClient = () => SetMetadata(ALLOWED_CALLERS, 'any-tls-client' satisfies Allowed);

/**
 * Guards every route of an internal HTTP port: closed unless marked InternalRead (the client
 * certificate must name an allowed identity) or AnyTlsClient. A route added without either is
 * refused to everyone, which a test notices at once, rather than open to everyone, which nobody
 * would. TCP commands are checked by TcpServer before dispatch, so RPC contexts pass here.
 */
@Injectable()
export class CallerGuard implements CanActivate {
  private readonly logger = new Logger(CallerGuard.name);

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const allowed = this.reflector.getAllAndOverride<Allowed | undefined>(ALLOWED_CALLERS, [context.getHandler(), context.getClass()]);
    if (allowed === 'any-tls-client') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const caller = peerIdentity(request.raw.socket);
    if (caller !== undefined && allowed?.includes(caller)) return true;
    const route = request.routeOptions.url ?? 'unmatched';
    this.logger.warn({ msg: 'read refused', errorCode: 'CALLER_NOT_ALLOWED', caller: caller ?? 'none', route });
    throw new DomainError(
      'CALLER_NOT_ALLOWED',
      allowed?.length ? `${route} needs a client certificate of: ${allowed.join(', ')}` : `${route} is not open to any caller`,
    );
  }
}
