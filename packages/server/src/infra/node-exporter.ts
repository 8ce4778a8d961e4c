import type { CpuCounters } from './cpu-rate.js';
import type { Sample } from './exposition.js';

export const nodeMetricNames: ReadonlySet<string> = new Set([
  'node_cpu_seconds_total',
  'node_memory_MemTotal_bytes',
  'node_memory_MemAvailable_bytes',
  'node_filesystem_size_bytes',
  'node_filesystem_avail_bytes',
]);

/**
 * Kernel and container file systems that hold no user data (node_exporter excludes most by default; an
 * exporter started with other flags may not).
 */
const pseudoFileSystems = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'fusectl',
  'fuse.lxcfs',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'overlay',
  'proc',
  'procfs',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
]);

export interface FileSystemUsage {
  mountpoint: string;
  sizeBytes: number;
  usedBytes: number;
}

export interface NodeReading {
  cpu: CpuCounters | null;
  memory: { totalBytes: number; usedBytes: number } | null;
  fileSystems: FileSystemUsage[];
}

/** CPU counters, memory and real file systems from node_exporter's samples. */
export function readNode(samples: readonly Sample[]): NodeReading {
  const cpus = new Set<string>();
  let idle = 0;
  let total = 0;
  let memTotal: number | undefined;
  let memAvailable: number | undefined;
  const sizes = new Map<string, number>();
  const avails = new Map<string, number>();
  for (const { name, labels, value } of samples) {
    if (!Number.isFinite(value)) continue;
    switch (name) {
      case 'node_cpu_seconds_total':
        cpus.add(labels.cpu ?? '');
        total += value;
        if (labels.mode === 'idle') idle += value;
        break;
      case 'node_memory_MemTotal_bytes':
        memTotal = value;
        break;
      case 'node_memory_MemAvailable_bytes':
        memAvailable = value;
        break;
      case 'node_filesystem_size_bytes':
      case 'node_filesystem_avail_bytes': {
        const { mountpoint, fstype } = labels;
        if (!mountpoint || !fstype || pseudoFileSystems.has(fstype)) break;
        (name === 'node_filesystem_size_bytes' ? sizes : avails).set(mountpoint, value);
        break;
      }
    }
  }
  const fileSystems: FileSystemUsage[] = [];
  for (const [mountpoint, sizeBytes] of sizes) {
    const avail = avails.get(mountpoint);
    if (avail === undefined || sizeBytes <= 0) continue;
    fileSystems.push({ mountpoint, sizeBytes, usedBytes: Math.max(0, sizeBytes - avail) });
  }
  return {
    cpu: cpus.size ? { idle, total, cpus: cpus.size } : null,
    memory:
      memTotal !== undefined && memAvailable !== undefined && memTotal > 0
        ? { totalBytes: memTotal, usedBytes: Math.max(0, memTotal - memAvailable) }
        : null,
    fileSystems,
  };
}
