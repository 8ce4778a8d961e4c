import { int, key, optStr, str } from './keys.js';

/** Scheduled reports: their sender, the PDF engine and the catch-up of runs missed while down. */
export const reportKeys = {
  reportEmailFrom: key({
    env: 'PULSE_REPORT_EMAIL_FROM',
    file: 'reportEmailFrom',
    default: undefined,
    parse: optStr,
    description: 'From address of scheduled report email (default: the alert sender)',
  }),
  chromiumPath: key({
    env: 'PULSE_CHROMIUM_PATH',
    file: 'chromiumPath',
    default: '/usr/bin/chromium',
    parse: str,
    description: 'Chromium that renders report PDFs (Debian package chromium); loaded only for a PDF',
  }),
  reportCatchUpHours: key({
    env: 'PULSE_REPORT_CATCH_UP_HOURS',
    file: 'reportCatchUpHours',
    default: 12,
    parse: int(0, 168),
    description: 'A scheduled report missed while Pulse was down is sent at start when at most this old',
  }),
};
