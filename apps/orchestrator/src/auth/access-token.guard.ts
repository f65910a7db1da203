import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@bank/contracts';
import { AccessTokenVerifier } from './signing-keys.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    customerId?: string;
  }
}

/** Requires `Authorization: Bearer <token>` signed by auth; the customer id comes from its subject. */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly verifier: AccessTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header) : null;
    if (!match) throw new DomainError('UNAUTHORIZED', 'A Bearer access token is required');
    const claims = await this.verifier.verify(match[1]);
    request.customerId = claims.sub;
    return true;
  }
}

/** The authenticated customer's id (set by AccessTokenGuard). */
export const CustomerId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const id = context.switchToHttp().getRequest<FastifyRequest>().customerId;
  if (!id) throw new DomainError('UNAUTHORIZED');
  return id;
});
