import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';

/** A refusal or failure as the API put it, with its code for searching the docs. */
export function ErrorNotice({ error }: { error: ApiError | Error | undefined | null }) {
  if (error === undefined || error === null) return null;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return (
    <div className="notice notice-error" role="alert">
      <strong>{heading(error)}:</strong> {error.message}
      {code === undefined ? null : <span className="notice-code"> [{code}]</span>}
    </div>
  );
}

export function Notice({ kind, children }: { kind: 'info' | 'warning' | 'success'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'warning' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

function heading(error: Error): string {
  if (!('status' in error) || typeof error.status !== 'number') return 'Failed';
  return [401, 403, 429].includes(error.status) ? `Refused (${error.status})` : `Error (${error.status})`;
}
