// Writes the reference pages generated from the code (docs/errors.md, configuration.md, cli.md, metrics.md), formatted
// as `npm run lint` expects. Usage: node scripts/generate-docs.mjs [errors|config|cli|metrics]… (default all); it reads
// the compiled server, so the npm scripts build first.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { referenceDocs } from '../packages/server/dist/reference-docs/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const names = process.argv.slice(2);
for (const name of names.length ? names : Object.keys(referenceDocs)) {
  const doc = referenceDocs[name];
  if (!doc) throw new Error(`unknown page "${name}": one of ${Object.keys(referenceDocs).join(', ')}`);
  const file = `${root}${doc.path}`;
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  writeFileSync(file, await prettier.format(doc.render(), options));
  console.log(`wrote ${doc.path}`);
}
