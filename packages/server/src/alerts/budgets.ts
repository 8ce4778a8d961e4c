import type { Budget as ApiBudget } from '@pulse/api';
import { ValidationError } from '../errors.js';
import type { Budget } from '../storage/alert-store.js';
import { iso } from './format.js';

/** `PUT /api/budgets/:tenant` body: null removes a budget; absent leaves it as it is. */
export interface BudgetInput {
  monthlyUsd?: number | null;
  resourceTypes?: Record<string, number | null>;
}

function amount(value: unknown, field: string): number | null {
  if (value === null) return null;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0)
    throw new ValidationError(
      field,
      `must be a positive amount in USD (or null to remove); received ${JSON.stringify(value)}`,
    );
  return n;
}

export function parseBudgetInput(body: unknown): BudgetInput {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError(
      'body',
      'must be {"monthlyUsd": 10000, "resourceTypes": {"vps_instance": 2000}}',
    );
  const { monthlyUsd, resourceTypes, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined)
    throw new ValidationError(unknown, 'is not a known field (monthlyUsd, resourceTypes)');
  const input: BudgetInput = {};
  if (monthlyUsd !== undefined) input.monthlyUsd = amount(monthlyUsd, 'monthlyUsd');
  if (resourceTypes !== undefined) {
    if (!resourceTypes || typeof resourceTypes !== 'object' || Array.isArray(resourceTypes))
      throw new ValidationError(
        'resourceTypes',
        'must map resource types to monthly USD, e.g. {"database": 500}',
      );
    input.resourceTypes = {};
    for (const [type, value] of Object.entries(resourceTypes)) {
      if (!type.trim()) throw new ValidationError('resourceTypes', 'keys must be non-empty resource types');
      input.resourceTypes[type] = amount(value, `resourceTypes.${type}`);
    }
  }
  if (input.monthlyUsd === undefined && input.resourceTypes === undefined)
    throw new ValidationError('body', 'sets nothing: give monthlyUsd and/or resourceTypes');
  return input;
}

/** A tenant's budgets after applying `input` over the current ones. */
export function mergeBudgets(
  tenantId: string,
  current: readonly Budget[],
  input: BudgetInput,
  now: number,
): Budget[] {
  const byType = new Map(current.map((b) => [b.resourceType, b]));
  const set = (resourceType: string | null, value: number | null | undefined) => {
    if (value === undefined) return;
    if (value === null) byType.delete(resourceType);
    else byType.set(resourceType, { tenantId, resourceType, monthlyUsd: value, updatedAt: now });
  };
  set(null, input.monthlyUsd);
  for (const [type, value] of Object.entries(input.resourceTypes ?? {})) set(type, value);
  return [...byType.values()];
}

export type BudgetView = ApiBudget;

/** Budgets as the API shows them: one entry per tenant. */
export function budgetViews(budgets: readonly Budget[]): BudgetView[] {
  const views = new Map<string, BudgetView & { updated: number }>();
  for (const b of budgets) {
    const view = views.get(b.tenantId) ?? {
      tenantId: b.tenantId,
      monthlyUsd: null,
      resourceTypes: {},
      updatedAt: null,
      updated: 0,
    };
    if (b.resourceType === null) view.monthlyUsd = b.monthlyUsd;
    else view.resourceTypes[b.resourceType] = b.monthlyUsd;
    view.updated = Math.max(view.updated, b.updatedAt);
    views.set(b.tenantId, view);
  }
  return [...views.values()]
    .sort((a, b) => a.tenantId.localeCompare(b.tenantId))
    .map(({ updated, ...view }) => ({ ...view, updatedAt: updated ? iso(updated) : null }));
}
