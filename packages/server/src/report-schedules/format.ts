/** Report text for HTML; the figures themselves are formatted by @pulse/events/format, as on the dashboard. */

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A period [from, to) in the schedule's zone, as "2 Mar 2026 – 9 Mar 2026". */
export function periodText(period: { from: number; to: number }, timezone: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: timezone });
  return `${f.format(period.from)} – ${f.format(period.to)} (${timezone})`;
}
