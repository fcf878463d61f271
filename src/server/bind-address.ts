import { fail } from '../domain/errors.ts';

/** `127.0.0.1:8181`, `[::1]:8181` or `:8181` (all interfaces) into host and port. */
export function parseBindAddress(text: string, field: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    fail('INVALID_INPUT', `${field} '${text}' must look like 127.0.0.1:8181`, { field });
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** A bind address that only this machine can reach: 127.x.y.z, ::1 or localhost (never all interfaces). */
export function parseLoopbackBindAddress(text: string, field: string): { host: string; port: number } {
  const bind = parseBindAddress(text, field);
  const host = bind.host.toLowerCase();
  if (host !== 'localhost' && host !== '::1' && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    fail('INVALID_INPUT', `${field} '${text}' must be a loopback address such as 127.0.0.1:8182`, { field });
  }
  return bind;
}
