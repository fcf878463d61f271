import { FluxgateError, isFluxgateError } from '../../domain/errors.ts';
import type { Catalog } from '../catalog.ts';

/**
 * SQLSTATE classes and codes that mean the connection (not the statement) failed: 08 connection
 * exception, 57P01-57P03 (terminated by an administrator, a crash, the server starting or stopping),
 * 53300 too many connections.
 */
const LOST_STATES = /^(08...|57P0[1-3]|53300)$/;
const LOST_MESSAGES =
  /Connection terminated|connection (is )?(closed|ended)|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/** Whether `error` means the catalog's connection was lost, so that the statement may succeed on another. */
export function isConnectionLoss(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || isFluxgateError(error)) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && LOST_STATES.test(code)) return true;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && LOST_MESSAGES.test(code)) return true;
  return typeof message === 'string' && LOST_MESSAGES.test(message);
}

function unavailable(error: unknown): FluxgateError {
  const reason = (error as { message?: string }).message?.split('\n')[0] ?? 'connection lost';
  return new FluxgateError('CATALOG_UNAVAILABLE', `the catalog is unavailable (${reason}); retry shortly`);
}

/** Methods that only read: after a lost connection they are retried once on a fresh one. */
const READS = /^(get|find|list|load|latest|changes)/;

/**
 * The catalog with PostgreSQL connection loss made an answer: a read is retried once (a failover or
 * restart usually leaves the pool a fresh connection to use), and what still fails, or any write, is
 * CATALOG_UNAVAILABLE (503) instead of an internal error. A write that failed this way did not commit,
 * or (when the connection broke during COMMIT) may have: the message says to retry, and every
 * catalog write is safe to retry or fails with a clear conflict.
 */
export function withConnectionLossAsUnavailable<C extends Catalog>(catalog: C): C {
  return new Proxy(catalog, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const retry = READS.test(property);
      return (...args: unknown[]) => {
        const first = value.apply(target, args);
        if (!(first instanceof Promise)) return first;
        return first.catch((error: unknown) => {
          if (!isConnectionLoss(error)) throw error;
          if (!retry) throw unavailable(error);
          return (value.apply(target, args) as Promise<unknown>).catch((again: unknown) => {
            throw isConnectionLoss(again) ? unavailable(again) : again;
          });
        });
      };
    },
  });
}
