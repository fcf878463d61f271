import { useRef } from 'react';
import { Field } from './field.tsx';

interface PickerProps {
  type: 'date' | 'time';
  label: string;
  value: string;
  onChange: (value: string) => void;
}

/** A native date or time picker behind a button, feeding the ISO text field beside it. */
function PickerButton({ type, label, value, onChange }: PickerProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <span className="picker">
      <button
        type="button"
        className="button-secondary picker-button"
        onClick={() => {
          const element = input.current;
          if (element === null) return;
          try {
            element.showPicker();
          } catch {
            element.focus();
          }
        }}
      >
        {label}
      </button>
      <input
        ref={input}
        className="picker-native"
        type={type}
        tabIndex={-1}
        aria-hidden="true"
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </span>
  );
}

interface DateTimeFieldsProps {
  date: string;
  time: string;
  onDate: (value: string) => void;
  onTime: (value: string) => void;
  dateError?: string | undefined;
  timeError?: string | undefined;
  required?: boolean;
  labels?: { date: string; time: string };
}

/** `Expiration Date` (YYYY-MM-DD) and `Expiration Time` (HH:MM, UTC): type them or pick them. */
export function DateTimeFields({
  date,
  time,
  onDate,
  onTime,
  dateError,
  timeError,
  required,
  labels = { date: 'Expiration Date', time: 'Expiration Time' },
}: DateTimeFieldsProps) {
  const validDate = /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : '';
  const validTime = /^\d{2}:\d{2}$/.test(time) ? time : '';
  return (
    <div className="date-time">
      <Field
        label={labels.date}
        value={date}
        onChange={onDate}
        placeholder="YYYY-MM-DD"
        inputMode="numeric"
        autoComplete="off"
        required={required}
        error={dateError}
        hint="For example 2031-01-15"
        addon={<PickerButton type="date" label="Pick a date" value={validDate} onChange={onDate} />}
      />
      <Field
        label={labels.time}
        value={time}
        onChange={onTime}
        placeholder="HH:MM"
        inputMode="numeric"
        autoComplete="off"
        error={timeError}
        hint="24-hour, UTC; 00:00 when empty"
        addon={<PickerButton type="time" label="Pick a time" value={validTime} onChange={onTime} />}
      />
    </div>
  );
}
