import { configKeys } from '../config/schema.js';
import { cell } from './markdown.js';

function defaultText(value: unknown): string {
  if (value === undefined) return '(none)';
  if (Array.isArray(value)) return value.length ? `\`${value.join(',')}\`` : '(empty)';
  return `\`${JSON.stringify(value).replace(/^"|"$/g, '')}\``;
}

/** docs/configuration.md, generated from the configuration schema (`npm run docs:config`). */
export function renderConfigDoc(): string {
  const rows = Object.values(configKeys).map(
    (spec) =>
      `| \`${spec.env}\` | \`${spec.file}\` | ${defaultText(spec.default)} | ${cell(spec.description)} |`,
  );
  return [
    '# Configuration',
    '',
    '<!-- Generated from packages/server/src/config/*-keys.ts by `npm run docs:config`; do not edit. -->',
    '',
    'Pulse reads environment variables and an optional JSON file: `--config <file>`, else `PULSE_CONFIG`, else',
    '`pulse.config.json` in the working directory when present. A command-line flag wins over the environment,',
    'which wins over the file, which wins over the default. Every bad value is listed at start and Pulse refuses',
    'to run. Lists are comma-separated in the environment and arrays in the file.',
    '',
    '| environment | file key | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
