import { renderCliDoc } from './cli-doc.js';
import { renderConfigDoc } from './config-doc.js';
import { renderErrorsDoc } from './errors-doc.js';
import { renderMetricsDoc } from './metrics-doc.js';

/** The reference pages generated from the code, by the name of their npm script (`npm run docs:<name>`). */
export const referenceDocs = {
  errors: { path: 'docs/errors.md', render: renderErrorsDoc },
  config: { path: 'docs/configuration.md', render: renderConfigDoc },
  cli: { path: 'docs/cli.md', render: renderCliDoc },
  metrics: { path: 'docs/metrics.md', render: renderMetricsDoc },
} as const;
