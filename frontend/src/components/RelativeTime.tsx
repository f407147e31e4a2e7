import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { formatAbsolute, formatRelative, toDate } from "../lib/time";

/** RelativeTime renders "5 minutes ago" with the exact time as tooltip. */
export function RelativeTime({ value, never = "never" }: { value: Timestamp | undefined; never?: string }) {
  const date = toDate(value);
  if (!date) return <span className="muted">{never}</span>;
  return (
    <time dateTime={date.toISOString()} title={formatAbsolute(date)}>
      {formatRelative(date)}
    </time>
  );
}
