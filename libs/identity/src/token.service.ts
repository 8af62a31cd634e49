import { Inject, Injectable } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { createHash, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { DomainException, ErrorCode } from '@hub/common';

export interface AccessClaims {
  sub: string;
  /** Login session (refresh token family). */
  sid: string;
  /** Full access (false while MFA enrolment is pending). */
  fa: boolean;
}

@Injectable()
export class TokenService {
  /**
   * The secret as a KeyObject: given a string, jsonwebtoken first tries it as a public key and throws, on every
   * verification (a measurable share of each request's CPU).
   */
  private readonly key: KeyObject | undefined;

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = config.jwtSecret ? createSecretKey(Buffer.from(config.jwtSecret, 'utf8')) : undefined;
  }

  get accessTtlSeconds(): number {
    return this.config.accessTokenTtlSeconds;
  }

  signAccess(claims: AccessClaims): string {
    return this.jwt.sign({ ...claims, typ: 'access' }, { expiresIn: this.config.accessTokenTtlSeconds });
  }

  verifyAccess(token: string): AccessClaims {
    try {
      const payload = this.jwt.verify<AccessClaims & { typ?: string }>(token, {
        algorithms: ['HS256'],
        ...(this.key ? { secret: this.key as unknown as Buffer } : {}),
      });
      if (payload.typ !== 'access') throw new Error('wrong token type');
      return { sub: payload.sub, sid: payload.sid, fa: payload.fa };
    } catch (e) {
      if (e instanceof TokenExpiredError) {
        throw new DomainException(ErrorCode.TokenExpired, 'Access token expired; refresh it');
      }
      throw new DomainException(ErrorCode.Unauthenticated, 'Access token is not valid');
    }
  }

  /** An opaque refresh token and the hash stored for it. */
  newRefreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: this.hashRefresh(token) };
  }

  hashRefresh(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}
