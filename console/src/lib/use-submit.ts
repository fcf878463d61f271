import { useState } from 'react';

export interface Submit {
  /** Whether the user has tried to submit at least once (so a problem in an untouched field shows). */
  attempted: boolean;
  busy: boolean;
  /** What the last attempt failed with, until the next attempt. */
  error: Error | undefined;
  /** Marks the attempt; when `ready`, runs `action`, busy while it runs, keeping what it throws. */
  run: (ready: boolean, action: () => Promise<void>) => Promise<void>;
}

/** A dialog's submit: the attempt, the busy flag and the error, the same in every dialog. */
export function useSubmit(): Submit {
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const run = async (ready: boolean, action: () => Promise<void>) => {
    setAttempted(true);
    if (!ready) return;
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  return { attempted, busy, error, run };
}
