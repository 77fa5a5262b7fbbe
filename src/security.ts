import { createSecretKey } from 'node:crypto';
import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import { verifiedTokens } from './verified-tokens.js';

const ALGORITHM = 'HS256';

/** Milliseconds since the epoch; injected so tests can move time as freezegun does. */
export type Clock = () => number;

export interface TokenSettings {
  readonly secretKey: string;
  readonly expireMinutes: number;
  readonly clock: Clock;
}

/** Password hashing and JWTs (the course's security.py). */
export interface Security {
  hashPassword(plain: string): Promise<string>;
  /** Compares against `hash`, or against a dummy hash of the same cost when the user does not exist. */
  verifyPassword(plain: string, hash: string | undefined): Promise<boolean>;
  createAccessToken(userId: number): string;
  /** The user id in a valid token, or undefined for anything invalid, expired or forged. */
  readUserId(token: string): number | undefined;
}

/** bcrypt runs on libuv's thread pool, so hashing never blocks the event loop. */
export function createSecurity(settings: TokenSettings & { readonly bcryptRounds: number }): Security {
  // Hashed once, lazily: an unknown email must cost as much as a wrong password.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => (dummyHash ??= bcrypt.hash(crypto.randomUUID(), settings.bcryptRounds));
  // Made once: given a string, jsonwebtoken first tries (and fails) to parse it as a PEM key on
  // every sign and verify, a large share of an authenticated request's CPU (bench/RESULTS.md).
  const key = createSecretKey(Buffer.from(settings.secretKey));
  const verified = verifiedTokens();

  return {
    hashPassword: (plain) => bcrypt.hash(plain, settings.bcryptRounds),

    async verifyPassword(plain, hash) {
      if (hash === undefined) {
        await bcrypt.compare(plain, await dummy());
        return false;
      }
      return bcrypt.compare(plain, hash);
    },

    createAccessToken(userId) {
      const now = Math.floor(settings.clock() / 1000);
      return jwt.sign({ sub: String(userId), iat: now, exp: now + settings.expireMinutes * 60 }, key, {
        algorithm: ALGORITHM,
      });
    },

    readUserId(token) {
      const now = Math.floor(settings.clock() / 1000);
      const known = verified.get(token, now);
      if (known !== undefined) return known;
      try {
        const payload = jwt.verify(token, key, {
          // Pinned: a token must never choose its own algorithm ("none", RS256 with our secret as key).
          algorithms: [ALGORITHM],
          clockTimestamp: now,
        });
        if (typeof payload !== 'object' || typeof payload.exp !== 'number') return undefined;
        const id = Number(payload.sub);
        if (!Number.isSafeInteger(id) || id <= 0) return undefined;
        // A token that is not valid yet (nbf) was refused above, so only its expiry can change its verdict.
        verified.remember(token, id, payload.exp);
        return id;
      } catch {
        return undefined;
      }
    },
  };
}
