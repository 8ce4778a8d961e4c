import { NotFoundError, ValidationError } from '../errors.js';
import type { AlertStore } from '../storage/alert-store.js';
import { defaultRules } from './default-rules.js';
import type { Rule } from './rule-model.js';
import { parseRule, parseRuleSet } from './rule-validation.js';
import type { InstallStats } from './rule-evaluation.js';
import type { RuleStateResume } from './rule-state.js';
import type { AlertLogger } from './types.js';

/**
 * The rule set as operators edit it: validated, stored, then installed for evaluation. The first start
 * stores the default rules; a stored rule that no longer validates is skipped, not fatal.
 */
export function createRuleCatalog(deps: {
  store: Pick<AlertStore, 'loadRules' | 'saveRules'>;
  /** The installed rules, and how a new set is installed. */
  installed: {
    rules(): readonly Rule[];
    install(list: readonly Rule[], resume?: RuleStateResume | null): Promise<InstallStats>;
  };
  logger: AlertLogger;
  /** After a new rule set is stored and installed (other processes reload theirs). */
  onSaved?: () => void;
}) {
  const { store, installed, logger } = deps;

  async function stored(): Promise<Rule[]> {
    const raw = await store.loadRules();
    if (raw === null) {
      await store.saveRules(defaultRules);
      return structuredClone([...defaultRules]);
    }
    const valid: Rule[] = [];
    raw.forEach((rule, i) => {
      try {
        valid.push(parseRule(rule, `rules[${i}]`));
      } catch (error) {
        logger.warn({ err: error }, 'a stored alert rule no longer validates; it is skipped');
      }
    });
    return valid;
  }

  async function save(list: Rule[]): Promise<Rule[]> {
    await store.saveRules(list);
    await installed.install(list);
    deps.onSaved?.();
    return list;
  }

  return {
    /**
     * Installs the stored rules, their state rebuilt from stored events (at start, after another process's
     * change) or, at a start, resumed from saved state.
     */
    load: async (resume?: RuleStateResume | null): Promise<InstallStats> =>
      installed.install(await stored(), resume),

    rules: (): readonly Rule[] => installed.rules(),

    /** Replaces the whole rule set (validated first: nothing changes when one rule is invalid). */
    replaceRules: (input: unknown) => save(parseRuleSet(input)),

    putRule: async (id: string, input: unknown): Promise<Rule> => {
      const rule = parseRule(input);
      if (rule.id !== id)
        throw new ValidationError('id', `must match the rule in the path (${id}); received ${rule.id}`);
      const rules = installed.rules();
      const at = rules.findIndex((r) => r.id === id);
      await save(at < 0 ? [...rules, rule] : rules.map((r) => (r.id === id ? rule : r)));
      return rule;
    },

    deleteRule: async (id: string): Promise<void> => {
      const rules = installed.rules();
      if (!rules.some((r) => r.id === id)) throw new NotFoundError(`rule ${id}`);
      await save(rules.filter((r) => r.id !== id));
    },

    resetRules: () => save(structuredClone([...defaultRules])),
  };
}
