/** The pages, in sidebar order. The server serves the console at each of these paths (and at `/`). */
export const PAGES = [
  { path: '/overview', label: 'Overview' },
  { path: '/databases', label: 'Databases' },
  { path: '/database-tokens', label: 'Database Tokens' },
  { path: '/management-tokens', label: 'Management Tokens' },
  { path: '/admin-tokens', label: 'Admin Tokens' },
  { path: '/users', label: 'Users' },
  { path: '/audit-log', label: 'Audit Log' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'];

export const SIGN_IN_PATH = '/sign-in';

export function pageFor(path: string): PagePath {
  const found = PAGES.find((page) => page.path === path);
  return found === undefined ? '/overview' : found.path;
}
