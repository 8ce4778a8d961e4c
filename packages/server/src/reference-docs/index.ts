import { renderCliDoc } from './cli-doc.js';
import { renderConfigDoc } from './config-doc.js';
import { renderErrorsDoc } from './errors-doc.js';

/** The reference pages generated from the code, by the name of their npm script (`npm run docs:<name>`). */
export const referenceDocs = {
  errors: { path: 'docs/errors.md', render: renderErrorsDoc },
  config: { path: 'docs/configuration.md', render: renderConfigDoc },
  cli: { path: 'docs/cli.md', render: renderCliDoc },
} as const;
