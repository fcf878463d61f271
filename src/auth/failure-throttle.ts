/**
 * Counts failed authentications per source in fixed windows; a source over the limit is refused (429
 * with Retry-After) until its block ends. Only guess-like failures count (malformed, unknown): a known
 * token that expired or was revoked is not an attack, and its owner needs the 401.
 *
 * A source is an IPv4 address or an IPv6 /64 (one subscriber gets a whole /64, so counting single
 * IPv6 addresses counts nothing). Behind that, a ceiling on failures per second across all sources
 * stops a guesser who spreads over many addresses. Blocked sources are kept apart from the ones merely
 * being counted, so a flood of new sources cannot push a block out of memory.
 */
export interface ThrottleOptions {
  /** Failures allowed per window before blocking; 0 disables throttling. */
  limit: number;
  windowMs: number;
  blockMs: number;
  /** Most sources counted at once; the oldest are forgotten first (blocked ones are kept apart). */
  maxSources: number;
  /** Failures per second across every source before all failures are refused for that second; 0: none. */
  globalLimitPerSecond?: number;
}

interface SourceState {
  windowStart: number;
  failures: number;
}

export class FailureThrottle {
  private readonly counting = new Map<string, SourceState>();
  private readonly blocked = new Map<string, number>();
  private globalSecond = 0;
  private globalFailures = 0;

  constructor(private readonly options: ThrottleOptions) {}

  /** Seconds to wait before retrying, or 0 when the source may proceed. */
  retryAfter(source: string, now: number): number {
    if (this.options.limit <= 0) return 0;
    const until = this.blocked.get(sourceKey(source));
    if (until !== undefined && until > now) return Math.ceil((until - now) / 1000);
    const ceiling = this.options.globalLimitPerSecond ?? 0;
    if (ceiling > 0 && Math.floor(now / 1000) === this.globalSecond && this.globalFailures > ceiling) return 1;
    return 0;
  }

  recordFailure(source: string, now: number): void {
    if (this.options.limit <= 0) return;
    this.countGlobal(now);
    const key = sourceKey(source);
    let state = this.counting.get(key);
    if (state === undefined || now - state.windowStart >= this.options.windowMs) {
      this.counting.delete(key);
      state = { windowStart: now, failures: 0 };
      this.counting.set(key, state);
      if (this.counting.size > this.options.maxSources) {
        const oldest = this.counting.keys().next();
        if (!oldest.done) this.counting.delete(oldest.value);
      }
    }
    state.failures++;
    if (state.failures > this.options.limit) this.block(key, now + this.options.blockMs, now);
  }

  private countGlobal(now: number): void {
    const second = Math.floor(now / 1000);
    if (second !== this.globalSecond) {
      this.globalSecond = second;
      this.globalFailures = 0;
    }
    this.globalFailures++;
  }

  private block(key: string, until: number, now: number): void {
    this.blocked.delete(key);
    this.blocked.set(key, until);
    if (this.blocked.size <= this.options.maxSources) return;
    // Only ended blocks are forgotten; while every block is live the oldest-ending one goes.
    for (const [other, otherUntil] of this.blocked) if (otherUntil <= now) this.blocked.delete(other);
    if (this.blocked.size > this.options.maxSources) {
      const oldest = this.blocked.keys().next();
      if (!oldest.done) this.blocked.delete(oldest.value);
    }
  }
}

/** The unit a source is counted in: an IPv4 address (also when IPv4-mapped), or an IPv6 /64. */
export function sourceKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(ip);
  if (mapped !== null) return mapped[1]!;
  const groups = expandIpv6(ip.split('%')[0]!);
  return groups === undefined ? ip : `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIpv6(ip: string): string[] | undefined {
  const halves = ip.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 1 || halves[1] === '' ? [] : halves[1]!.split(':');
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  return [...head, ...Array.from({ length: missing }, () => '0'), ...tail].map((g) => g.replace(/^0+(?=.)/, ''));
}
