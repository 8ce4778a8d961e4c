import type { Command } from 'commander';
import { buildProgram } from '../cli/index.js';
import { cell } from './markdown.js';

function usage(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  const args = command.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '…' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return [...names, ...args].join(' ');
}

function section(command: Command, depth: number): string[] {
  const options = command.options.map((o) => {
    const shown = o.defaultValue === undefined || /\bdefault\b/.test(o.description);
    const fallback = shown ? '' : ` (default ${JSON.stringify(o.defaultValue)})`;
    return `| \`${o.flags.replaceAll('|', '\\|')}\` | ${cell(o.description + fallback)} |`;
  });
  return [
    `${'#'.repeat(depth)} \`${usage(command)}\``,
    '',
    command.description(),
    '',
    ...(options.length ? ['| option | meaning |', '| --- | --- |', ...options, ''] : []),
    ...command.commands.flatMap((verb) => section(verb, depth + 1)),
  ];
}

/** docs/cli.md, generated from the `pulse` program's own definitions (`npm run docs:cli`). */
export function renderCliDoc(): string {
  const program = buildProgram();
  const global = program.options.map((o) => `\`${o.flags}\`: ${o.description}`).join('; ');
  return [
    '# The `pulse` command',
    '',
    '<!-- Generated from packages/server/src/cli by `npm run docs:cli`; do not edit. -->',
    '',
    `${program.description()}. Every verb takes \`--help\`. Global option: ${global}.`,
    '',
    ...program.commands.flatMap((verb) => section(verb, 2)),
  ].join('\n');
}
