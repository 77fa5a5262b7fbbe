/**
 * Tokens whose signature and claims were checked, by their exact text, with
 * the user id and expiry they carry. A token's verdict cannot change but by
 * its expiry, which is checked on every use; the secret is fixed for the
 * process. So a token seen again skips jsonwebtoken's decode and HMAC, a
 * measurable share of an authenticated request's CPU (bench/RESULTS.md).
 * Only tokens that passed are kept, so forged ones cannot fill it, and it is
 * bounded: past `max` entries the oldest goes first.
 */
export interface VerifiedTokens {
  /** The user id of a token verified before and not expired at `nowSeconds`. */
  get(token: string, nowSeconds: number): number | undefined;
  remember(token: string, userId: number, expiresAt: number): void;
}

export function verifiedTokens(max = 10_000): VerifiedTokens {
  const entries = new Map<string, { readonly userId: number; readonly expiresAt: number }>();
  return {
    get(token, nowSeconds) {
      const entry = entries.get(token);
      if (entry === undefined) return undefined;
      // jsonwebtoken's rule: expired from the second `exp` names.
      if (nowSeconds >= entry.expiresAt) {
        entries.delete(token);
        return undefined;
      }
      return entry.userId;
    },
    remember(token, userId, expiresAt) {
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
      entries.set(token, { userId, expiresAt });
    },
  };
}
