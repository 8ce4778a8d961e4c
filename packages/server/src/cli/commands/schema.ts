import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { businessEventNames, catalogJsonSchema, eventJsonSchema, isBusinessEventName } from '@pulse/events';
import type { Command } from 'commander';

export function registerSchema(program: Command): void {
  const schema = program.command('schema').description('The business-event catalog as JSON Schema');
  schema
    .command('export')
    .description('Print the catalog as one JSON Schema document, or write one file per event with --out')
    .option('--out <dir>', 'write <event>.json files into this directory')
    .option('--event <name>', 'only this event type')
    .option('--json', 'machine output (the default for this verb)')
    .action((options: { out?: string; event?: string }) => {
      if (options.event !== undefined && !isBusinessEventName(options.event))
        throw new Error(`unknown event "${options.event}"; known: ${businessEventNames.join(', ')}`);
      const names = options.event ? [options.event] : businessEventNames;
      if (!options.out) {
        const doc =
          options.event && isBusinessEventName(options.event)
            ? eventJsonSchema(options.event)
            : catalogJsonSchema();
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        return;
      }
      mkdirSync(options.out, { recursive: true });
      for (const name of names) {
        if (!isBusinessEventName(name)) continue;
        writeFileSync(
          join(options.out, `${name}.json`),
          `${JSON.stringify(eventJsonSchema(name), null, 2)}\n`,
        );
      }
      console.error(`wrote ${names.length} schema file(s) to ${options.out}`);
    });
}
