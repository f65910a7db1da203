import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { GetSigningKeysQuery, type GetSigningKeysReply } from '@bank/contracts';
import { AuthConfig } from '../config/auth.config.js';
import { SigningKeysService } from './signing-keys.service.js';

@QueryHandler(GetSigningKeysQuery)
export class GetSigningKeysHandler implements IQueryHandler<GetSigningKeysQuery, GetSigningKeysReply> {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly config: AuthConfig,
  ) {}

  execute(): Promise<GetSigningKeysReply> {
    return Promise.resolve({ issuer: this.config.TOKEN_ISSUER, audience: this.config.TOKEN_AUDIENCE, keys: this.keys.publicKeys() });
  }
}
