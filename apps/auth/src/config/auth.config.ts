import { createPrivateKey } from 'node:crypto';
import { IsInt, IsString, Max, MaxLength, Min, MinLength, ValidateBy, type ValidationArguments } from 'class-validator';
import { BrokerConfig, hasDevelopmentRules } from '@bank/common/config';

/** Only for local runs and tests (NODE_ENV=development or test): production refuses to boot with it. */
export const DEV_OTP_PEPPER = 'dev-only-otp-pepper-never-use-in-production';

const isProduction = (args: ValidationArguments) => !hasDevelopmentRules((args.object as { NODE_ENV?: string }).NODE_ENV);

/** Env files often carry a PEM on one line with literal `\n`; both forms are accepted. */
export function normalizePem(pem: string): string {
  return pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
}

export function isEd25519PrivateKeyPem(pem: string): boolean {
  try {
    const key = createPrivateKey({ key: normalizePem(pem), format: 'pem' });
    return key.asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

export class AuthConfig extends BrokerConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  AUTH_TCP_PORT = 4003;

  /** Small HTTP port for /health and /metrics. */
  @IsInt()
  @Min(1)
  @Max(65535)
  AUTH_HTTP_PORT = 3003;

  /** A code is good for at most 5 minutes (the database refuses longer too). */
  @IsInt()
  @Min(1)
  @Max(300)
  OTP_TTL_SECONDS = 300;

  @IsInt()
  @Min(1)
  @Max(20)
  OTP_MAX_ATTEMPTS = 5;

  /** Start requests allowed per phone within OTP_RATE_WINDOW_SECONDS; the next one is refused. */
  @IsInt()
  @Min(1)
  @Max(100)
  OTP_RATE_LIMIT = 5;

  @IsInt()
  @Min(1)
  @Max(86_400)
  OTP_RATE_WINDOW_SECONDS = 900;

  @IsInt()
  @Min(30)
  @Max(86_400)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  TOKEN_ISSUER = 'bank-auth';

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  TOKEN_AUDIENCE = 'bank-api';

  /** HMAC key of the stored code hashes: a database dump alone cannot brute-force the 10^6 codes. */
  @IsString()
  @MinLength(16)
  @ValidateBy({
    name: 'pepperSetInProduction',
    validator: {
      validate: (value: unknown, args) => !(isProduction(args!) && value === DEV_OTP_PEPPER),
      defaultMessage: () => 'OTP_PEPPER must be set (not the development pepper) in production',
    },
  })
  OTP_PEPPER = DEV_OTP_PEPPER;

  /**
   * Ed25519 private key (PEM) that signs access tokens. May stay empty under development rules: auth then generates
   * one on first boot and keeps it in auth.signing_keys, so restarts keep issued tokens valid.
   */
  @IsString()
  @ValidateBy({
    name: 'ed25519SigningKey',
    validator: {
      validate: (value: unknown, args) =>
        value === '' ? !isProduction(args!) : typeof value === 'string' && isEd25519PrivateKeyPem(value),
      defaultMessage: () => 'AUTH_SIGNING_KEY must be an Ed25519 private key in PEM (PKCS#8); it is required in production',
    },
  })
  AUTH_SIGNING_KEY = '';
}
