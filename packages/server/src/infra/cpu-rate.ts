/** Cumulative CPU seconds summed over every CPU: idle and all modes, as node_exporter or a provider reports. */
export interface CpuCounters {
  idle: number;
  total: number;
  /** How many CPUs were summed; a change means the counters are not comparable. */
  cpus: number;
}

/**
 * Busy share of the CPUs between two readings of the same counters, 0–100: 1 − Δidle / Δtotal.
 * Null on the first reading, after a counter reset (a counter went down: the host rebooted), when the
 * CPU count changed, or when no time passed: a rate needs two comparable readings.
 */
export function cpuUtilization(previous: CpuCounters | undefined, current: CpuCounters): number | null {
  if (!previous || previous.cpus !== current.cpus) return null;
  const idle = current.idle - previous.idle;
  const total = current.total - previous.total;
  if (idle < 0 || total <= 0) return null;
  return Math.min(100, Math.max(0, (1 - idle / total) * 100));
}
