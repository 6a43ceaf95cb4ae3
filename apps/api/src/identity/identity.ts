/**
 * Who is asking: the anonymous student behind a request. Services get this (or just the user
 * id) and never see cookies; the IdentityGuard makes it and is the one place that creates users.
 */
export interface Identity {
  /** The user id of a valid signed cookie, or null. */
  readonly userId: string | null;
  /** Counts the request against its address's flood limit, once per request; 429 past it. */
  checkAddress(): void;
  /** The user id, created (with its cookie) when the request carries none. */
  ensure(): Promise<string>;
  /** A new user and cookie: for a cookie naming a user the database no longer has. */
  renew(): Promise<string>;
}
