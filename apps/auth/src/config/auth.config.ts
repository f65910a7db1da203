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

  /**
   * Wrong codes per phone within OTP_FAILURE_WINDOW_SECONDS, across all its challenges; while the
   * window is full, starts and checks for the phone are refused. This bounds guessing per phone, not
   * the per-challenge OTP_MAX_ATTEMPTS: asking for new codes buys no more guesses.
   */
  @IsInt()
  @Min(1)
  @Max(1_000)
  OTP_FAILURE_LIMIT = 10;

  @IsInt()
  @Min(1)
  @Max(86_400)
  OTP_FAILURE_WINDOW_SECONDS = 3_600;

  /**
   * NIST SP 800-63B caps consecutive failures on one account at 100: past this many without a
   * successful check, each further check waits OTP_FAILURE_STREAK_WAIT_SECONDS after the previous
   * failure. A wait beyond OTP_FAILURE_WINDOW_SECONDS lets someone else hold the owner out that long.
   */
  @IsInt()
  @Min(1)
  @Max(100)
  OTP_FAILURE_STREAK_LIMIT = 100;

  @IsInt()
  @Min(1)
  @Max(86_400)
  OTP_FAILURE_STREAK_WAIT_SECONDS = 3_600;

  /** Start requests per source address (an IPv6 one by its /64) within OTP_SOURCE_WINDOW_SECONDS, over all phones. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  OTP_SOURCE_LIMIT = 30;

  @IsInt()
  @Min(1)
  @Max(86_400)
  OTP_SOURCE_WINDOW_SECONDS = 600;

  /** Codes sent per rolling minute by the whole system: the ceiling on SMS pumping (toll fraud) from anywhere. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  OTP_SMS_PER_MINUTE = 60;

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
