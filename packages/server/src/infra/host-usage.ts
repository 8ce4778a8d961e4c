import type { FileSystemUsage } from './node-exporter.js';
import type { Usage } from './resource-event.js';

/** What one poll learnt about a host, from an exporter or a provider. */
export interface HostReading {
  resourceId: string;
  resourceType: string;
  /** Busy share of its CPUs (0–100) since the previous poll; null when no rate is known yet. */
  cpuUtilization: number | null;
  cpus: number;
  /** CPUs the host is entitled to when fewer than it sees (a container's quota); default cpus. */
  cpuCapacity?: number;
  memory: { totalBytes: number; usedBytes: number } | null;
  fileSystems: readonly FileSystemUsage[];
  /** USD per month for the whole host. */
  monthlyCost?: number;
}

/**
 * A host's readings as resources: `<id>:cpu` (carrying the host's whole monthly cost, so a budget counts
 * it once), `<id>:memory`, and `<id>:fs:<mountpoint>` per file system (resource_type storage).
 */
export function hostUsages(host: HostReading): Usage[] {
  const usages: Usage[] = [];
  if (host.cpuUtilization !== null && host.cpus > 0) {
    const capacity = host.cpuCapacity ?? host.cpus;
    usages.push({
      resourceId: `${host.resourceId}:cpu`,
      resourceType: host.resourceType,
      metric: 'cpu',
      unit: 'cpus',
      usage: (host.cpuUtilization / 100) * host.cpus,
      capacity,
      ...(host.monthlyCost !== undefined
        ? { totalCost: host.monthlyCost, costPerUnit: host.monthlyCost / capacity }
        : {}),
    });
  }
  if (host.memory)
    usages.push({
      resourceId: `${host.resourceId}:memory`,
      resourceType: host.resourceType,
      metric: 'memory',
      unit: 'bytes',
      usage: host.memory.usedBytes,
      capacity: host.memory.totalBytes,
    });
  for (const fs of host.fileSystems)
    usages.push({
      resourceId: `${host.resourceId}:fs:${fs.mountpoint}`,
      resourceType: 'storage',
      metric: 'filesystem',
      unit: 'bytes',
      usage: fs.usedBytes,
      capacity: fs.sizeBytes,
    });
  return usages;
}
