/**
 * Counts failed authentications per source address in fixed windows; a source over the limit is
 * refused (429 with Retry-After) until its block ends. Only guess-like failures count (malformed,
 * unknown): a known token that expired or was revoked is not an attack, and its owner needs the 401.
 */
export interface ThrottleOptions {
  /** Failures allowed per window before blocking; 0 disables throttling. */
  limit: number;
  windowMs: number;
  blockMs: number;
  /** Most sources tracked at once; the oldest are forgotten first. */
  maxSources: number;
}

interface SourceState {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

export class FailureThrottle {
  private readonly sources = new Map<string, SourceState>();

  constructor(private readonly options: ThrottleOptions) {}

  /** Seconds to wait before retrying, or 0 when the source may proceed. */
  retryAfter(source: string, now: number): number {
    const state = this.sources.get(source);
    if (state === undefined || state.blockedUntil <= now) return 0;
    return Math.ceil((state.blockedUntil - now) / 1000);
  }

  recordFailure(source: string, now: number): void {
    if (this.options.limit <= 0) return;
    let state = this.sources.get(source);
    if (state === undefined || now - state.windowStart >= this.options.windowMs) {
      this.sources.delete(source);
      state = { windowStart: now, failures: 0, blockedUntil: state?.blockedUntil ?? 0 };
      this.sources.set(source, state);
      if (this.sources.size > this.options.maxSources) {
        const oldest = this.sources.keys().next();
        if (!oldest.done) this.sources.delete(oldest.value);
      }
    }
    state.failures++;
    if (state.failures > this.options.limit) state.blockedUntil = now + this.options.blockMs;
  }
}
