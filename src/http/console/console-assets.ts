import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';

/** Where `npm run build:console` (run by `npm ci`) puts the console. */
export const DEFAULT_CONSOLE_DIR = new URL('../../../console/dist/', import.meta.url).pathname;

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  etag: string;
  /** Hashed file names never change content: cache them for a year. */
  immutable: boolean;
}

export interface ConsoleBuild {
  /** index.html, served at every page path. */
  page: ConsoleAsset;
  /** By URL path under /console/, e.g. `/console/assets/index-abc.js`. */
  assets: ReadonlyMap<string, ConsoleAsset>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Reads the built console into memory once: a fixed table of files (a few hundred kB), so serving
 * touches no file system and no request path can reach outside the build.
 */
export function loadConsoleBuild(dir: string): ConsoleBuild | undefined {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return undefined;
  const assets = new Map<string, ConsoleAsset>();
  for (const file of listFiles(dir)) {
    const path = relative(dir, file).split('\\').join('/');
    if (path === 'index.html' || path.endsWith('.map')) continue;
    const type = CONTENT_TYPES[extname(file).toLowerCase()];
    if (type === undefined) continue;
    assets.set(`/console/${path}`, asset(readFileSync(file), type, path.startsWith('assets/')));
  }
  return { page: asset(readFileSync(indexFile), CONTENT_TYPES['.html']!, false), assets };
}

function asset(body: Buffer, contentType: string, immutable: boolean): ConsoleAsset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag, immutable };
}

function listFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...listFiles(path));
    else found.push(path);
  }
  return found;
}
