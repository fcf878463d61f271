import type { TokenIndex } from '../auth/token-index.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { toRfc3339 } from '../domain/durations.ts';
import type { SystemPrincipal } from '../domain/principal.ts';
import { auditEntry } from './audit.ts';
import type { Authorizer } from './authorize.ts';
import { PeriodicTask } from './periodic-task.ts';

export interface SecretPurgerDeps {
  catalog: Catalog;
  index: TokenIndex;
  authorizer: Authorizer;
  now: () => number;
  server: SystemPrincipal;
  /** How long a rotated-out secret is kept after its grace ended (so it answers "revoked", not "unknown"). */
  retentionMs: number;
}

/** Secrets per purge transaction; the sweep goes on until none are left. */
const PURGE_BATCH = 500;

/**
 * Deletes rotated-out token secrets once their grace period has been over for longer than the
 * retention, on a timer. Until then an old secret answers 401
 * `revoked`; after it, 401 `unknown`. Each token's purge is audited, never with a hash.
 */
export class RetiredSecretPurger {
  private readonly task = new PeriodicTask(async () => {
    try {
      return await this.purge();
    } catch (error) {
      this.onError(error);
      return 0;
    }
  });

  constructor(
    private readonly deps: SecretPurgerDeps,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.task.start(intervalMs, { immediately: true });
  }

  /** One sweep; resolves with the number of secrets purged. */
  sweep(): Promise<number> {
    return this.task.run();
  }

  private async purge(): Promise<number> {
    const { catalog, index, authorizer, server } = this.deps;
    await authorizer.authorize(server, 'token_secret.purge', { kind: 'token' });
    let total = 0;
    for (;;) {
      const now = this.deps.now();
      const retiredBefore = now - this.deps.retentionMs;
      const purged = await catalog.purgeRetiredSecrets(
        retiredBefore,
        PURGE_BATCH,
        (token, secrets) =>
          auditEntry(server, 'token_secret.purge', { kind: 'token', id: token.id, name: token.name }, now, 'ok', {
            secrets,
            retiredBefore: toRfc3339(retiredBefore),
          }),
        now,
      );
      if (purged.length === 0) return total;
      total += purged.length;
      const ids = [...new Set(purged.map((secret) => secret.tokenId))];
      await index.exclusive(async () => {
        for (const { token, secrets } of await catalog.loadTokensById(ids, now)) index.put(token, secrets);
        index.rememberRevoked(purged.map((secret) => secret.hash));
      });
      if (purged.length < PURGE_BATCH) return total;
    }
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}

/** Often enough that a short retention (tests, `0s`) is honoured within a second or so, at most once a minute. */
export function secretPurgeIntervalMs(retentionMs: number): number {
  return Math.max(1_000, Math.min(60_000, retentionMs));
}
