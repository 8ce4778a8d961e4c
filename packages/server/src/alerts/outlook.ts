import { ValidationError } from '../errors.js';
import { defaultRules } from './default-rules.js';
import type { Rule } from './rule-model.js';
import type { Outlook, Severity } from './types.js';

/**
 * Risks and opportunities. A rule that reports good news (identified savings, a decision's actual
 * outcome) is an opportunity: it is listed apart from the problems and never pages anyone, so it may
 * only be raised at the lowest severity (medium: the weekly digest, never a push).
 */
export const outlookOf = (rule: Pick<Rule, 'outlook'>): Outlook => rule.outlook ?? 'risk';

export const opportunitySeverity: Severity = 'medium';

/** Refuses an opportunity raised above the lowest severity, naming the field. */
export function checkOutlook(rule: Rule, at: (name: string) => string): void {
  if (outlookOf(rule) === 'opportunity' && rule.severity !== opportunitySeverity)
    throw new ValidationError(
      at('severity'),
      `must be "${opportunitySeverity}" for an opportunity (good news is never raised as high or critical); received ${JSON.stringify(rule.severity)}`,
    );
}

/**
 * A stored rule document from before outlooks, classified like the default rule with its id: a copy marked
 * as an opportunity, its severity lowered to the one an opportunity may have; null when nothing changes (a
 * rule without an outlook is a risk).
 */
export function withOutlook(stored: unknown): Record<string, unknown> | null {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return null;
  const rule = stored as Record<string, unknown>;
  if (rule.outlook !== undefined) return null;
  const outlook = defaultRules.find((d) => d.id === rule.id)?.outlook;
  return outlook === 'opportunity' ? { ...rule, outlook, severity: opportunitySeverity } : null;
}
