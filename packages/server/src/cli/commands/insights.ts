import type { Command } from 'commander';
import { addInsightOutcomeCommands } from './insights-outcomes.js';

/** `pulse insights …`: reports that look back (decisions, benchmarks, impact). */
export function registerInsights(program: Command): void {
  const insights = program
    .command('insights')
    .description('Insights: decisions, benchmarks, business impact');
  addInsightOutcomeCommands(insights);
}
