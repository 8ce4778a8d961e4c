import { useClock } from '../clock';
import { ago, fullDateTime } from '../format';

/** "3 min ago" that keeps moving with the page's shared clock; hover shows the exact local time. */
export function RelativeTime({ value }: { value: string | number }) {
  const label = useClock((now) => ago(value, now));
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <time>—</time>;
  return (
    <time dateTime={date.toISOString()} title={fullDateTime(date.getTime())}>
      {label}
    </time>
  );
}
