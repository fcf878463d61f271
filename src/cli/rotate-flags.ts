import { parseDuration } from '../domain/durations.ts';
import { confirm } from './confirm.ts';

/** The body of a rotate: `{grace}` checked here so a typo names `--grace`; `{}` for none (0s on the server). */
export function rotateBody(grace: string | undefined): { grace?: string } {
  if (grace === undefined || grace === '0' || grace === '0s') return {};
  parseDuration(grace, '--grace');
  return { grace };
}

/**
 * A rotation with a grace period breaks nothing, so it goes ahead; without one every client holding
 * the old secret fails on its next request, so it asks first (or needs --force).
 */
export async function confirmRotation(what: string, body: { grace?: string }, force: boolean | undefined) {
  if (body.grace !== undefined) return;
  await confirm(
    `rotate ${what} with no grace period (its old secret stops working at once; --grace 1h keeps it an hour)`,
    force,
    '--force',
  );
}
