import { type ExpiryFields, type ExpiryResult, fieldsInDays } from '../lib/expiry.ts';
import { DateTimeFields } from './date-time-fields.tsx';
import { Toggle } from './field.tsx';

interface ExpiryEditorProps {
  kind: string;
  value: ExpiryFields;
  onChange: (value: ExpiryFields) => void;
  /** What `expiryFrom` made of the fields: its problem is shown at the field it names. */
  result: ExpiryResult;
  /** Whether the user tried to submit: a date problem shows then, or once a date is typed. */
  attempted: boolean;
  /** What the server said of the expiry, when the fields themselves are fine. */
  serverError: string | undefined;
}

const QUICK_PICKS = [7, 30, 90];

/** The Expiration toggle, then the date and time (typed or picked) and the 7/30/90-day quick picks. */
export function ExpiryEditor({ kind, value, onChange, result, attempted, serverError }: ExpiryEditorProps) {
  const problem = result.ok ? undefined : result;
  const dateError =
    (problem?.field === 'date' && (attempted || value.date !== '') ? problem.message : undefined) ?? serverError;
  const timeError = problem?.field === 'time' ? problem.message : undefined;
  return (
    <fieldset className="expiry">
      <legend className="visually-hidden">Expiration</legend>
      <Toggle
        label="Expiration"
        checked={value.enabled}
        onChange={(enabled) => onChange({ ...value, enabled })}
        description={
          value.enabled
            ? `This ${kind} expires at the chosen time.`
            : `This ${kind} does not expire until it is revoked.`
        }
      />
      {value.enabled ? (
        <>
          <fieldset className="quick-picks">
            <legend>Expires in</legend>
            {QUICK_PICKS.map((days) => (
              <button
                key={days}
                type="button"
                className="button-chip"
                onClick={() => onChange({ enabled: true, ...fieldsInDays(days, Date.now()) })}
              >
                {days} days
              </button>
            ))}
          </fieldset>
          <DateTimeFields
            date={value.date}
            time={value.time}
            onDate={(date) => onChange({ ...value, date })}
            onTime={(time) => onChange({ ...value, time })}
            dateError={dateError}
            timeError={timeError}
            required
          />
        </>
      ) : null}
    </fieldset>
  );
}
