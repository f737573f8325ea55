-- wrk script for bench/gateway_bench.py: POST realistic chat bodies, round-robin, and print a
-- machine-readable summary. Environment:
--   BENCH_BODIES   files holding the JSON bodies, separated by ';' (one request body per file)
--   BENCH_API_KEY  bearer key sent to every target (nginx ignores it)
--   BENCH_PATH     request path (default /v1/chat/completions)
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. (os.getenv("BENCH_API_KEY") or "none"),
}
local path = os.getenv("BENCH_PATH") or "/v1/chat/completions"
local requests = {}

-- Formatted in init: wrk sets the Host header only after the script's top level ran.
function init(args)
  for file in string.gmatch(os.getenv("BENCH_BODIES") or "", "[^;]+") do
    requests[#requests + 1] = wrk.format("POST", path, headers, slurp(file))
  end
  assert(#requests > 0, "BENCH_BODIES names no body file")
end

local counter = 0
function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
