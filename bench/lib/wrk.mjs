// Drives /batch/ with wrk (loopback only, bounded in time): each request posts the next of `bodies`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs wrk for `seconds`; resolves with requests, non-2xx, timeouts and latency p50/p99/max (ms). */
export async function wrkBatches({ url, bodies, connections = 32, seconds }) {
  const work = mkdtempSync(join(tmpdir(), 'pulse-bench-wrk-'));
  try {
    const bodyFile = join(work, 'bodies.ndjson');
    writeFileSync(bodyFile, `${bodies.join('\n')}\n`);
    const lua = join(work, 'post.lua');
    writeFileSync(
      lua,
      `
local bodies = {}
for line in io.lines("${bodyFile}") do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/batch/", nil, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("JSON %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, summary.errors.status, summary.errors.timeout))
end
`,
    );
    const out = await new Promise((resolve, reject) =>
      execFile(
        'wrk',
        ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', lua, url],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    const [, requests, durationUs, p50, p99, max, non2xx, timeouts] = out
      .match(/JSON (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/)
      .map(Number);
    return {
      requests,
      seconds: durationUs / 1e6,
      non2xx,
      timeouts,
      p50: p50 / 1000,
      p99: p99 / 1000,
      max: max / 1000,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
