import { errorCodes } from '../error-codes.js';
import { cell } from './markdown.js';

/** docs/errors.md, generated from the registry of error codes (`npm run docs:errors`). */
export function renderErrorsDoc(): string {
  const rows = Object.entries(errorCodes)
    .sort(([a, x], [b, y]) => x.status - y.status || a.localeCompare(b))
    .map(([code, { status, description }]) => `| \`${code}\` | ${status} | ${cell(description)} |`);
  return [
    '# API errors',
    '',
    '<!-- Generated from packages/server/src/error-codes.ts by `npm run docs:errors`; do not edit. -->',
    '',
    'Every error of the JSON API (`/api/…`) and of the dashboard is answered with its HTTP',
    'status and the body `{ "error": { "code", "message", "requestId" } }`. The `code` is stable and one of',
    'those below; the `message` is for people and says what was refused, where and why; `requestId` matches the',
    "server's log line (send `x-request-id` to choose it). Capture routes answer as PostHog does, in plain text.",
    '',
    '| code | status | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
