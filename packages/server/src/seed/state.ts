import { costBook, type CostBook } from './costs.js';
import { decisionBook, openDecisions, type DecisionBook } from './decisions.js';
import { metricStates, type MetricState } from './efficiency.js';
import { emailState, type EmailState } from './email.js';
import { clamp } from './format.js';
import type { Random } from './random.js';
import { resourceState, type ResourceState } from './resources.js';
import { windowShift } from './schedule.js';
import { securityState, type SecurityState } from './security.js';
import { tenantStream, type TenantProfile } from './tenants.js';

/**
 * Everything that evolves for one tenant while its events are generated. The fields of the event
 * being built (ts, iso, progress, health) are set once per event instead of passing a context object.
 */
export interface TenantState {
  profile: TenantProfile;
  /** The tenant's own stream: its events do not depend on which other tenants are generated. */
  rng: Random;
  ts: number;
  iso: string;
  /** 0 at the start of the window, 1 at its end. */
  progress: number;
  /** Latent business health 0..1 now. */
  health: number;
  /** Maps a local time of day into a 24 h window (see businessOffset). */
  shift: number;
  nextScheduled: number;
  resources: ResourceState[];
  resourceCursor: number;
  overrun: ResourceState | undefined;
  metrics: MetricState[];
  metricCursor: number;
  email: EmailState;
  costs: CostBook;
  decisions: DecisionBook;
  security: SecurityState;
  /** People at the tenant, for generic events. */
  users: number;
}

export function createTenantState(profile: TenantProfile, seed: number, startMs: number): TenantState {
  const rng = tenantStream(seed, profile.id, 2);
  const state: TenantState = {
    profile,
    rng,
    ts: startMs,
    iso: '',
    progress: 0,
    health: profile.healthStart,
    shift: windowShift(startMs, profile.utcOffsetHours),
    nextScheduled: 0,
    resources: profile.resources.map(resourceState),
    resourceCursor: 0,
    overrun: undefined,
    metrics: metricStates(profile, rng),
    metricCursor: 0,
    email: emailState(profile, rng),
    costs: costBook(),
    decisions: decisionBook(),
    security: securityState(),
    users: Math.max(3, Math.round(25 * profile.size * rng.range(0.6, 1.4))),
  };
  openDecisions(state, startMs);
  return state;
}

/** Moves the tenant to the instant of the next event. */
export function setMoment(t: TenantState, ts: number, iso: string, progress: number): void {
  t.ts = ts;
  t.iso = iso;
  t.progress = progress;
  t.health = clamp(t.profile.healthStart + t.profile.healthSlope * progress, 0.05, 0.95);
}
