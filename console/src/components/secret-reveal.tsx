import { useEffect, useId, useRef, useState } from 'react';

/** The one time a secret is shown: a read-only field, a Copy button and the warning. */
export function SecretReveal({ secret, label = 'Token secret' }: { secret: string; label?: string }) {
  const id = useId();
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = useRef<HTMLButtonElement>(null);
  // The button that made the secret is gone: put focus on the one thing to do next.
  useEffect(() => copy.current?.focus(), []);
  return (
    <div className="secret">
      <p className="notice notice-warning" role="alert">
        Copy this token now and store it somewhere safe: it will not be shown again.
      </p>
      <label htmlFor={id}>{label}</label>
      <div className="field-row">
        <input
          id={id}
          className="secret-value"
          readOnly
          value={secret}
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.target.select()}
        />
        <button
          ref={copy}
          type="button"
          className="button-primary"
          onClick={() => {
            navigator.clipboard.writeText(secret).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            );
          }}
        >
          Copy
        </button>
      </div>
      <p className="field-hint" aria-live="polite">
        {copied === 'yes' ? 'Copied to the clipboard.' : null}
        {copied === 'failed' ? 'The browser refused the clipboard: select the text and copy it.' : null}
      </p>
    </div>
  );
}
