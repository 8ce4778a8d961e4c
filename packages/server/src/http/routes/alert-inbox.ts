import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { alertInboxRoutes as contract, type AlertView as ApiAlertView } from '@pulse/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditDetail } from '../../access/audit-requests.js';
import { inScope } from '../../access/rbac.js';
import type { AlertEngine } from '../../alerts/engine.js';
import { iso, isoOrNull } from '../../alerts/format.js';
import { silencedModes, type InboxFilter } from '../../alerts/inbox.js';
import { toApiAlert } from '../../alerts/present.js';
import { untilOf, type Silence } from '../../alerts/silences.js';
import { alertStates, outlooks, severities, type Alert } from '../../alerts/types.js';
import { ForbiddenError, ValidationError } from '../../errors.js';
import type { UserStore } from '../../storage/user-store.js';
import { guard } from '../auth.js';
import { limitParam, listParam, timeParam } from '../query-params.js';

/** A person's name or email for a user id; null for API keys and unknown ids. */
export type PeopleLookup = (id: string) => Promise<string | null>;

export const peopleLookup =
  (users: Pick<UserStore, 'get'>): PeopleLookup =>
  async (id) => {
    const user = await users.get(id);
    return user && (user.name ? `${user.name} (${user.email})` : user.email);
  };

/** `state=open,acknowledged` checked against the allowed values; undefined when absent. */
export function enumList<T extends string>(
  name: string,
  raw: string | string[] | undefined,
  allowed: readonly T[],
): T[] | undefined {
  const values = listParam(raw);
  if (values === undefined) return undefined;
  const bad = values.find((v) => !(allowed as readonly string[]).includes(v));
  if (bad !== undefined)
    throw new ValidationError(name, `must be one of ${allowed.join(', ')}; received ${JSON.stringify(bad)}`);
  return values as T[];
}

interface FilterQuery {
  state?: string;
  severity?: string;
  tenant?: string | string[];
  rule?: string;
  outlook?: string;
  silenced?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: string;
}

/** The inbox filters of a request, within the caller's tenants. */
export function inboxFilter(
  request: FastifyRequest,
  q: FilterQuery,
  limits: { fallback: number; max: number },
): InboxFilter {
  const states = enumList('state', q.state, alertStates);
  const severityList = enumList('severity', q.severity, severities);
  const outlookList = enumList('outlook', q.outlook, outlooks);
  const silenced = enumList('silenced', q.silenced, silencedModes);
  if (silenced && silenced.length !== 1)
    throw new ValidationError('silenced', `must be one of ${silencedModes.join(', ')}`);
  const scope = guard(request, 'alerts:read', listParam(q.tenant));
  const rules = listParam(q.rule);
  const from = timeParam('from', q.from);
  const to = timeParam('to', q.to);
  return {
    ...(states ? { states } : {}),
    ...(severityList ? { severities: severityList } : {}),
    ...(outlookList ? { outlooks: outlookList } : {}),
    ...(scope === 'all' ? {} : { tenants: scope }),
    ...(rules ? { rules } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
    silenced: silenced?.[0] ?? 'exclude',
    limit: limitParam(q.limit, limits.fallback, limits.max),
  };
}

type Inbox = Pick<AlertEngine, 'inbox' | 'silences' | 'getAlert' | 'rules'>;

/** Alerts as the API shows them, with the names of who acted and the silence holding each. */
export function alertPresenter(deps: { alerts: Inbox; publicUrl: string | null; people: PeopleLookup }) {
  const { alerts, publicUrl, people } = deps;
  return async (list: readonly Alert[]): Promise<ApiAlertView[]> => {
    const names = new Map<string, Promise<string | null>>();
    const nameOf = (id: string | null) => {
      if (id === null) return Promise.resolve(null);
      if (!names.has(id)) names.set(id, people(id));
      return names.get(id) ?? Promise.resolve(null);
    };
    return Promise.all(
      list.map(async (alert) => {
        const silence = alerts.silences.covering(alert);
        return {
          ...toApiAlert(alert, publicUrl),
          acknowledgedByName: await nameOf(alert.acknowledgedBy),
          resolvedByName: await nameOf(alert.resolvedBy),
          silence: silence && { id: silence.id, kind: silence.kind, until: iso(silence.until) },
        };
      }),
    );
  };
}

async function presentSilence(s: Silence, now: number, people: PeopleLookup) {
  return {
    id: s.id,
    kind: s.kind,
    alertId: s.alertId,
    tenantId: s.tenantId,
    rule: s.ruleId,
    until: iso(s.until),
    comment: s.comment,
    createdBy: s.createdBy,
    createdByName: await people(s.createdBy),
    createdAt: iso(s.createdAt),
    cancelledBy: s.cancelledBy,
    cancelledAt: isoOrNull(s.cancelledAt),
    active: s.cancelledAt === null && s.until > now,
  };
}

const note = (comment: string | null | undefined) => comment?.trim() || null;

/** Groups of alerts, snoozes and mutes: each change audited with who, what and until when. */
export function alertInboxRoutes(
  app: FastifyInstance,
  deps: { alerts: Inbox; people: PeopleLookup; clock: () => number; publicUrl: string | null },
): void {
  const { alerts, people, clock } = deps;
  const present = alertPresenter(deps);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const audited = (request: FastifyRequest, s: Silence) => {
    auditDetail(request, {
      [s.kind]: s.id,
      ...(s.alertId ? { alert: s.alertId } : {}),
      tenant: s.tenantId,
      rule: s.ruleId,
      until: iso(s.until),
      ...(s.cancelledAt !== null ? { cancelled: iso(s.cancelledAt) } : {}),
    });
    return presentSilence(s, clock(), people);
  };
  const knownRule = (rule: string) => {
    if (!alerts.rules().some((r) => r.id === rule))
      throw new ValidationError('rule', `names no installed rule; received ${JSON.stringify(rule)}`);
  };
  /** The caller may change alerts of this tenant. */
  const mayWrite = (request: FastifyRequest, tenantId: string, what: string) => {
    if (!inScope(guard(request, 'alerts:write'), tenantId))
      throw new ForbiddenError(`${what} belongs to a tenant outside your scope`);
  };

  api.get('/api/alerts/groups', { schema: contract.listGroups }, async (request) => {
    const { groups, nextCursor } = await alerts.inbox.groups(
      inboxFilter(request, request.query, { fallback: 50, max: 1000 }),
    );
    const latest = await present(groups.map((g) => g.latest));
    const now = clock();
    return {
      groups: await Promise.all(
        groups.map(async (g, i) => ({
          tenantId: g.tenantId,
          rule: g.ruleId,
          ruleName: g.ruleName,
          severity: g.severity,
          outlook: g.outlook,
          title: g.title,
          alerts: g.alerts,
          occurrences: g.occurrences,
          open: g.open,
          acknowledged: g.acknowledged,
          resolved: g.resolved,
          amount: g.amount,
          firstSeen: iso(g.firstSeen),
          lastSeen: iso(g.lastSeen),
          sparkline: { from: iso(g.sparkline.from), to: iso(g.sparkline.to), counts: g.counts },
          mute: g.mute && (await presentSilence(g.mute, now, people)),
          latest: latest[i] as ApiAlertView,
        })),
      ),
      hasMore: nextCursor !== null,
      nextCursor,
    };
  });

  api.post('/api/alerts/:id/snooze', { schema: contract.snoozeAlert }, async (request) => {
    guard(request, 'alerts:write');
    const until = untilOf(request.body, clock());
    const { alert } = await alerts.getAlert(request.params.id);
    mayWrite(request, alert.tenantId, `alert ${alert.id}`);
    const snooze = await alerts.silences.snooze(alert, until, request.actor.id, note(request.body.comment));
    return audited(request, snooze);
  });

  api.delete('/api/alerts/:id/snooze', { schema: contract.unsnoozeAlert }, async (request) => {
    guard(request, 'alerts:write');
    const snooze = alerts.silences.snoozeOf(request.params.id);
    mayWrite(request, snooze.tenantId, `alert ${request.params.id}`);
    return audited(request, await alerts.silences.cancel(snooze, request.actor.id));
  });

  api.post('/api/alerts/groups/snooze', { schema: contract.snoozeGroup }, async (request) => {
    const { tenant, rule, comment } = request.body;
    mayWrite(request, tenant, `tenant ${tenant}`);
    const until = untilOf(request.body, clock());
    const { alerts: active } = await alerts.inbox.alerts({
      tenants: [tenant],
      rules: [rule],
      states: ['open', 'acknowledged'],
      silenced: 'include',
      limit: 10_000,
    });
    const snoozes: Silence[] = [];
    for (const alert of active)
      snoozes.push(await alerts.silences.snooze(alert, until, request.actor.id, note(comment)));
    auditDetail(request, { tenant, rule, until: iso(until), alerts: active.map((a) => a.id) });
    const now = clock();
    return { snoozes: await Promise.all(snoozes.map((s) => presentSilence(s, now, people))) };
  });

  api.get('/api/alert-mutes', { schema: contract.listMutes }, async (request) => {
    const scope = guard(request, 'alerts:read');
    const list = await alerts.silences.list({
      kind: 'mute',
      all: request.query.all === 'true',
      ...(scope === 'all' ? {} : { tenants: scope }),
      limit: limitParam(request.query.limit, 100, 10_000),
    });
    const now = clock();
    return { mutes: await Promise.all(list.map((s) => presentSilence(s, now, people))) };
  });

  api.post('/api/alert-mutes', { schema: contract.createMute }, async (request) => {
    const { tenant, rule, comment } = request.body;
    mayWrite(request, tenant, `tenant ${tenant}`);
    knownRule(rule);
    const until = untilOf(request.body, clock());
    return audited(request, await alerts.silences.mute(tenant, rule, until, request.actor.id, note(comment)));
  });

  api.delete('/api/alert-mutes/:id', { schema: contract.cancelMute }, async (request) => {
    guard(request, 'alerts:write');
    const silence = await alerts.silences.get(request.params.id);
    mayWrite(request, silence.tenantId, `${silence.kind} ${silence.id}`);
    return audited(request, await alerts.silences.cancel(silence, request.actor.id));
  });
}
