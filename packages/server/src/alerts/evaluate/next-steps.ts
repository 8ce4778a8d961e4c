import type { Rule } from '../rule-model.js';

/** What to do first, by the kind of condition that fired (checked first) or the event the rule watches. */
const byKind: Partial<Record<Rule['condition']['kind'], string>> = {
  budget: 'Review the most expensive resources, then scale them down or raise the budget.',
  overdue: 'Review the decision with its owner and set a new review date or close it.',
  change: 'Check what changed on the resource and whether its capacity still fits.',
};

const byEvent: Record<string, string> = {
  revenue_impact_event: 'Contact the affected customers and check the payments behind the loss.',
  email_deliverability_event: 'Pause large sends and clean the recipient list before sending again.',
  cost_optimization_event: 'Assign an owner to apply the saving.',
  operational_efficiency_event: 'Ask the team owning this process what slowed it down.',
  resource_usage_event: 'Resize the resource to match its use.',
  security_incident_event: 'Start the incident response and inform the affected customers.',
  strategic_decision_event: 'Review the decision with its owner.',
};

const fallback = 'Open the alert for its events and decide who follows up.';

/** The recommended first action for an alert of this rule. */
export const nextStepOf = (rule: Rule): string =>
  byKind[rule.condition.kind] ?? byEvent[rule.events[0] ?? ''] ?? fallback;
