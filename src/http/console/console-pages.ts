/**
 * The paths at which the server answers with the console's page (its client-side router takes it
 * from there). Kept equal to `console/src/routes.ts` by a test.
 */
export const CONSOLE_PAGE_PATHS = [
  '/',
  '/sign-in',
  '/overview',
  '/databases',
  '/database-tokens',
  '/management-tokens',
  '/admin-tokens',
  '/users',
  '/audit-log',
] as const;
