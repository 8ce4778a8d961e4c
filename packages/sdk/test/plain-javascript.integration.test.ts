import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startCaptureServer, type CaptureServer } from './helpers/capture-server.js';

const run = promisify(execFile);
const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(sdkDir, '../..');

// A consumer project outside the repo: node_modules/@pulse/sdk links to the package, so plain node
// resolves it through package.json "exports" to dist (the pulse-source condition is vitest's only).
const consumer = `
import { BusinessEvents, BusinessEventValidationError } from '@pulse/sdk';

const pulse = new BusinessEvents({ apiKey: 'phc_plain_js', host: process.argv[2] });
try {
  pulse.trackSecurityIncident('tenant-js', { incident_type: 'phishing', severity: 'extreme' });
} catch (error) {
  if (!(error instanceof BusinessEventValidationError)) throw error;
  console.log(JSON.stringify({ rejected: error.issues.map((i) => i.property) }));
}
const uuid = pulse.trackResourceUsage('tenant-js', { resource_type: 'storage', current_usage: 30, capacity: 120 });
await pulse.shutdown(5000);
console.log(JSON.stringify({ uuid }));
`;

let server: CaptureServer;
let consumerDir: string;

beforeAll(async () => {
  // Builds the SDK and the catalog it references, as `npm run build` would.
  await run(process.execPath, [join(repoDir, 'node_modules/typescript/bin/tsc'), '-b', sdkDir], {
    cwd: repoDir,
  });
  consumerDir = await mkdtemp(join(tmpdir(), 'pulse-sdk-consumer-'));
  await mkdir(join(consumerDir, 'node_modules/@pulse'), { recursive: true });
  await symlink(sdkDir, join(consumerDir, 'node_modules/@pulse/sdk'), 'dir');
  await writeFile(join(consumerDir, 'send.mjs'), consumer);
  server = await startCaptureServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (consumerDir) await rm(consumerDir, { recursive: true, force: true });
});

test('a plain .mjs file imports the built package and sends an event', async () => {
  const { stdout } = await run(process.execPath, [join(consumerDir, 'send.mjs'), server.url], {
    cwd: consumerDir,
  });
  const [rejected, sent] = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(rejected).toEqual({ rejected: ['affects_customer_data', 'severity'] });
  expect(sent!.uuid).toEqual(expect.any(String));

  expect(server.requests).toHaveLength(1);
  expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/batch/' });
  expect(server.requests[0]!.body).toMatchObject({
    api_key: 'phc_plain_js',
    batch: [
      {
        event: 'resource_usage_event',
        distinct_id: 'tenant-js',
        uuid: sent!.uuid,
        properties: {
          resource_type: 'storage',
          current_usage: 30,
          capacity: 120,
          resource_id: 'storage',
          utilization_percentage: 25,
          tenant_id: 'tenant-js',
          $lib: 'posthog-node',
        },
      },
    ],
  });
});
