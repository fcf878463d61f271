import { type ExpiryFields, fieldsInDays } from '../lib/expiry.ts';
import { DateTimeFields } from './date-time-fields.tsx';
import { Toggle } from './field.tsx';

interface ExpiryEditorProps {
  kind: string;
  value: ExpiryFields;
  onChange: (value: ExpiryFields) => void;
  errors: { date?: string | undefined; time?: string | undefined };
}

const QUICK_PICKS = [7, 30, 90];

/** The Expiration toggle, then the date and time (typed or picked) and the 7/30/90-day quick picks. */
export function ExpiryEditor({ kind, value, onChange, errors }: ExpiryEditorProps) {
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
            dateError={errors.date}
            timeError={errors.time}
            required
          />
        </>
      ) : null}
    </fieldset>
  );
}
