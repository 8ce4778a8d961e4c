// Drives /batch/ with wrk (loopback only, bounded in time): each request posts the next of `bodies` with
// fresh event uuids, so a run longer than one pass over the bodies still sends new events, never copies.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The last 12 hex digits of an event's uuid; the rest (version, variant, a v7 time) is kept from the body.
const UUID_TAIL = /("uuid":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-)[0-9a-f]{12}"/g;
// A raw tab never occurs in JSON.stringify output (control characters are escaped): it marks each tail.
const TAIL_MARK = '\t';

/** Each body with its uuid tails cut out and marked, for the request script to fill in. */
function templates(bodies) {
  return bodies.map((body, i) => {
    const template = body.replace(UUID_TAIL, `$1${TAIL_MARK}"`);
    const marked = template.split(TAIL_MARK).length - 1;
    if (marked === 0 || marked !== body.split('"uuid":').length - 1)
      throw new Error(`body ${i}: every event needs a lowercase hyphenated uuid to make fresh`);
    return template;
  });
}

// Per request: each marked tail (48 bits) is made from the thread's event counter n: its low 32 bits are n
// through xorshift32, a bijection, so they never repeat within 2^32 events of a thread; its high 16 bits are
// another mix of n xor the thread's number, so two threads' tails differ where their low bits agree. All 48
// bits look random to the store, as a real uuid's do (a plain counter would compress unrealistically well).
const script = (bodyFile) => `
local bodies = {}
for line in io.lines("${bodyFile}") do
  local parts = {}
  for part in (line .. "${TAIL_MARK}"):gmatch("([^${TAIL_MARK}]*)${TAIL_MARK}") do parts[#parts + 1] = part end
  bodies[#bodies + 1] = parts
end
local threads = 0
function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end
local function xorshift(x)
  x = bit.bxor(x, bit.lshift(x, 13))
  x = bit.bxor(x, bit.rshift(x, 17))
  return bit.bxor(x, bit.lshift(x, 5))
end
local i = 0
local events = 0
local out = {}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  local parts = bodies[i]
  for p = 1, #parts - 1 do
    local x = xorshift(bit.tobit(events))
    local high = bit.band(bit.bxor(xorshift(bit.bxor(x, 0x5bd1e995)), thread_number or 0), 0xffff)
    events = events + 1
    out[2 * p - 1] = parts[p]
    out[2 * p] = bit.tohex(high, 4) .. bit.tohex(x, 8)
  end
  out[2 * #parts - 1] = parts[#parts]
  for k = 2 * #parts, #out do out[k] = nil end
  return wrk.format(nil, "/batch/", nil, table.concat(out))
end
done = function(summary, latency, requests)
  io.write(string.format("JSON %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, summary.errors.status, summary.errors.timeout))
end
`;

/** Runs wrk for `seconds`; resolves with requests, non-2xx, timeouts and latency p50/p99/max (ms). */
export async function wrkBatches({ url, bodies, connections = 32, seconds }) {
  const work = mkdtempSync(join(tmpdir(), 'pulse-bench-wrk-'));
  try {
    const bodyFile = join(work, 'bodies.ndjson');
    writeFileSync(bodyFile, `${templates(bodies).join('\n')}\n`);
    const lua = join(work, 'post.lua');
    writeFileSync(lua, script(bodyFile));
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
