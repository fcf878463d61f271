import type { IncomingMessage } from 'node:http';

/** `localhost`, `127.x.y.z` or `[::1]`, with or without a port: what a Host header says when it names this machine. */
export function isLoopbackHost(host: string): boolean {
  const name = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(host)?.[1] ?? host.replace(/:\d{1,5}$/, '');
  const lower = name.toLowerCase();
  return lower === 'localhost' || lower === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(lower);
}

/**
 * Why an unauthenticated loopback endpoint must refuse this request, or undefined when it may serve it.
 * A page in a browser on this machine can reach loopback ports: DNS rebinding gives it a foreign Host,
 * and a cross-origin fetch carries an Origin (or Sec-Fetch-Site) naming somewhere else.
 */
export function loopbackRefusal(request: IncomingMessage): string | undefined {
  const host = request.headers.host;
  if (host === undefined || !isLoopbackHost(host)) return 'the Host header must name a loopback address';
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return 'cross-origin requests are refused';
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'cross-origin requests are refused';
  return undefined;
}
