import { ApiError } from '../api/client.ts';

/** Which form field an API error names (`description`, `expiresAt`, `permissions[0].resource`, …). */
export function fieldError(error: unknown, ...fields: string[]): string | undefined {
  if (!(error instanceof ApiError) || error.field === undefined) return undefined;
  const field = error.field;
  return fields.some((name) => field === name || field.startsWith(`${name}[`) || field.startsWith(`${name}.`))
    ? error.message
    : undefined;
}

/** The error to show above the buttons: one no field claimed. */
export function formError(error: unknown, ...claimed: string[]): Error | undefined {
  if (error === undefined || error === null) return undefined;
  if (fieldError(error, ...claimed) !== undefined) return undefined;
  return error as Error;
}

/** A problem the console found in a field, shown once the field is `touched` (typed in, or a submit tried). */
export function shownProblem(problem: string | undefined, touched: boolean): string | undefined {
  return touched ? problem : undefined;
}
