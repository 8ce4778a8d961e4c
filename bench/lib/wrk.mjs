// Drives /batch/ with wrk (loopback only, bounded in time): each request posts the next of `bodies` with
// fresh event uuids, so a run longer than one pass over the bodies still sends new events, never copies.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuOf } from './proc-cpu.mjs';

// An event uuid's last 12 hex digits; the rest (version, variant, a v7 time) is kept from the body.
const UUID_TAIL = /("uuid":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-)[0-9a-f]{12}"/g;
// A raw tab never occurs in JSON.stringify output (control characters are escaped): it marks where each
// request's own 8 hex digits go.
const MARK = '\t';

/**
 * Each body with its uuids' tails replaced by the mark and 4 hex digits of the event's position in the
 * body (times an odd number mod 2^16: distinct per position, and not a plain count to the store).
 */
function templates(bodies) {
  return bodies.map((body, i) => {
    let position = 0;
    const template = body.replace(UUID_TAIL, (_, head) => {
      const mixed = ((position++ * 0x9e37 + 0x7f4a) & 0xffff).toString(16).padStart(4, '0');
      return `${head}${MARK}${mixed}"`;
    });
    if (position === 0 || position !== body.split('"uuid":').length - 1)
      throw new Error(`body ${i}: every event needs a lowercase hyphenated uuid to make fresh`);
    return template;
  });
}

// Per request, the marks get 8 hex digits of xorshift32 (a bijection on 32 bits) of the request's number
// on its thread × 256 + the thread's: distinct for every request of a run (up to 2^24 per thread), so
// together with the position digits every event's uuid is new, and the tails look random to the store as
// real uuids' do.
const script = (bodyFile) => `
local bodies = {}
for line in io.lines("${bodyFile}") do
  local parts = {}
  for part in (line .. "${MARK}"):gmatch("([^${MARK}]*)${MARK}") do parts[#parts + 1] = part end
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
local sent = 0
local out = {}
local heads = {}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  local parts = bodies[i]
  local tail = bit.tohex(xorshift(bit.tobit(sent * 256 + (thread_number or 0))), 8)
  sent = sent + 1
  out[1] = ""
  for p = 1, #parts - 1 do
    out[2 * p] = parts[p]
    out[2 * p + 1] = tail
  end
  out[2 * #parts] = parts[#parts]
  for k = 2 * #parts + 1, #out do out[k] = nil end
  -- The request line and headers are the same for every request of a body (its tails are fixed-width, so
  -- its Content-Length too): formatted once, then each request is one join.
  if not heads[i] then
    local body = table.concat(out)
    local whole = wrk.format(nil, "/batch/", nil, body)
    heads[i] = whole:sub(1, #whole - #body)
  end
  out[1] = heads[i]
  return table.concat(out)
end
done = function(summary, latency, requests)
  io.write(string.format("JSON %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, summary.errors.status, summary.errors.timeout))
end
`;

/**
 * Runs wrk for `seconds`; resolves with requests, non-2xx, timeouts, latency p50/p99/max (ms) and wrk's own
 * CPU seconds (it shares the cores with the server; sampled every 250 ms, so up to that much is missed).
 */
export async function wrkBatches({ url, bodies, connections = 32, seconds }) {
  const work = mkdtempSync(join(tmpdir(), 'pulse-bench-wrk-'));
  try {
    const bodyFile = join(work, 'bodies.ndjson');
    writeFileSync(bodyFile, `${templates(bodies).join('\n')}\n`);
    const lua = join(work, 'post.lua');
    writeFileSync(lua, script(bodyFile));
    let cpuSeconds = 0;
    const out = await new Promise((resolve, reject) => {
      const child = execFile(
        'wrk',
        ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', lua, url],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
        (error, stdout) => {
          clearInterval(sampling);
          if (error) reject(error);
          else resolve(stdout);
        },
      );
      const sampling = setInterval(() => {
        try {
          cpuSeconds = cpuOf(child.pid).total;
        } catch {
          // exited between two samples
        }
      }, 250);
    });
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
      cpuSeconds,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
