import { ValidationError } from '../errors.js';
import type { Budget } from '../storage/alert-store.js';
import { iso } from './format.js';

/** `PUT /api/budgets/:tenant` body: null removes a budget; absent leaves it as it is. */
export interface BudgetInput {
  monthly_usd?: number | null;
  resource_types?: Record<string, number | null>;
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
      'must be {"monthly_usd": 10000, "resource_types": {"vps_instance": 2000}}',
    );
  const { monthly_usd, resource_types, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined)
    throw new ValidationError(unknown, 'is not a known field (monthly_usd, resource_types)');
  const input: BudgetInput = {};
  if (monthly_usd !== undefined) input.monthly_usd = amount(monthly_usd, 'monthly_usd');
  if (resource_types !== undefined) {
    if (!resource_types || typeof resource_types !== 'object' || Array.isArray(resource_types))
      throw new ValidationError(
        'resource_types',
        'must map resource types to monthly USD, e.g. {"database": 500}',
      );
    input.resource_types = {};
    for (const [type, value] of Object.entries(resource_types)) {
      if (!type.trim()) throw new ValidationError('resource_types', 'keys must be non-empty resource types');
      input.resource_types[type] = amount(value, `resource_types.${type}`);
    }
  }
  if (input.monthly_usd === undefined && input.resource_types === undefined)
    throw new ValidationError('body', 'sets nothing: give monthly_usd and/or resource_types');
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
  set(null, input.monthly_usd);
  for (const [type, value] of Object.entries(input.resource_types ?? {})) set(type, value);
  return [...byType.values()];
}

export interface BudgetView {
  tenant_id: string;
  monthly_usd: number | null;
  resource_types: Record<string, number>;
  updated_at: string | null;
}

/** Budgets as the API shows them: one entry per tenant. */
export function budgetViews(budgets: readonly Budget[]): BudgetView[] {
  const views = new Map<string, BudgetView & { updated: number }>();
  for (const b of budgets) {
    const view = views.get(b.tenantId) ?? {
      tenant_id: b.tenantId,
      monthly_usd: null,
      resource_types: {},
      updated_at: null,
      updated: 0,
    };
    if (b.resourceType === null) view.monthly_usd = b.monthlyUsd;
    else view.resource_types[b.resourceType] = b.monthlyUsd;
    view.updated = Math.max(view.updated, b.updatedAt);
    views.set(b.tenantId, view);
  }
  return [...views.values()]
    .sort((a, b) => a.tenant_id.localeCompare(b.tenant_id))
    .map(({ updated, ...view }) => ({ ...view, updated_at: updated ? iso(updated) : null }));
}
