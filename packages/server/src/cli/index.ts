import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { registerSchema } from './commands/schema.js';
import { registerServe } from './commands/serve.js';
import { registerEvents } from './commands/events.js';
import { registerSeed } from './commands/seed.js';
import { registerSummary } from './commands/summary.js';
import { registerExplain } from './commands/explain.js';
import { registerInsights } from './commands/insights.js';
import { registerQuarantine } from './commands/quarantine.js';
import { registerQuery } from './commands/query.js';
import { registerReport } from './commands/report.js';
import { registerReports } from './commands/reports.js';
import { registerSubscriptions } from './commands/subscriptions.js';
import { registerTenants } from './commands/tenants.js';
import { registerIntegrations } from './commands/integrations.js';
import { registerRelay } from './commands/relay.js';
import { registerKeys } from './commands/keys.js';
import { registerUsers } from './commands/users.js';
import { registerAlerts } from './commands/alerts.js';
import { registerBudgets } from './commands/budgets.js';
import { registerRules } from './commands/rules.js';
import { registerAudit } from './commands/audit.js';
import { registerEncryption } from './commands/encryption.js';
import { registerRetention } from './commands/retention.js';
import { registerStore } from './commands/store.js';
import { packageVersion } from '../version.js';
import { ExitStatus } from './exit-status.js';
import { registerImport } from './commands/import.js';
import { registerMigrate } from './commands/migrate.js';

/** The `pulse` program; each verb registers itself from cli/commands. */
export function buildProgram(): Command {
  const program = new Command('pulse')
    .description('Pulse: real-time executive intelligence from business events')
    .version(packageVersion(), '-V, --version', 'print the version of Pulse')
    .option('--config <file>', 'configuration file (default ./pulse.config.json)')
    .showHelpAfterError()
    .exitOverride()
    // --config is global (`pulse --config f.json report …`); verbs read it from their own options.
    .hook('preAction', (root, verb) => {
      const file = root.opts<{ config?: string }>().config;
      if (file !== undefined && verb.getOptionValue('config') === undefined)
        verb.setOptionValue('config', file);
    });
  registerServe(program);
  registerSeed(program);
  registerEvents(program);
  registerSummary(program);
  registerExplain(program);
  registerInsights(program);
  registerReport(program);
  registerReports(program);
  registerQuery(program);
  registerSubscriptions(program);
  registerTenants(program);
  registerIntegrations(program);
  registerRelay(program);
  registerQuarantine(program);
  registerAlerts(program);
  registerRules(program);
  registerBudgets(program);
  registerUsers(program);
  registerKeys(program);
  registerAudit(program);
  registerEncryption(program);
  registerRetention(program);
  registerStore(program);
  registerImport(program);
  registerMigrate(program);
  registerSchema(program);
  return program;
}

/** Runs the CLI and returns the exit code (errors are printed, never thrown). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ExitStatus) return error.code;
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 78; // EX_CONFIG
    }
    console.error(`pulse: ${(error as Error).message}`);
    return 1;
  }
}
