-- wrk script of the IVR benchmarks (docs/benchmarks.md), driven by environment variables:
--   BENCH_SCENARIO   "list" (GET BENCH_PATH, a page of 50 patients by default) or "create" (POST a new patient)
--   BENCH_PATH       what "list" reads, e.g. /api/v1/ivrs?limit=50 or /api/v1/ivrs/pending?limit=50
--   BENCH_TOKEN      the access token of the account the requests act as
--   BENCH_IDEMPOTENCY  "1" to send a fresh Idempotency-Key with every create
--   BENCH_RUN_TAG    letters that make this run's patient names unique (the create duplicate check stays live)
-- It counts every response status and prints one line, BENCH_RESULT {json}, for benchmarks/run to read.

local scenario = os.getenv("BENCH_SCENARIO") or "list"
local token = os.getenv("BENCH_TOKEN") or error("BENCH_TOKEN is not set")
local idempotency = os.getenv("BENCH_IDEMPOTENCY") == "1"
local run_tag = os.getenv("BENCH_RUN_TAG") or "RUN"

wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state); read back in done() with thread:get.
statuses = {}
first_failure = nil
local counter = 0

local function letters(n, width)
  local out = {}
  for i = width, 1, -1 do
    out[i] = string.char(65 + n % 26)
    n = math.floor(n / 26)
  end
  return table.concat(out)
end

local list_request = wrk.format("GET", os.getenv("BENCH_PATH") or "/api/v1/patients?limit=50")

local function create_request()
  counter = counter + 1
  local index = thread_index or 0
  local body = string.format(
    '{"first_name":"Bench%s","last_name":"Load%s%s","date_of_birth":"19%02d-%02d-%02d","sex":"female",'
      .. '"phone":"+1 217 555 0142","email":"bench.load@example.net",'
      .. '"address":{"line1":"%d Main St","city":"Springfield","state":"IL","postal_code":"62704"},'
      .. '"insurances":[{"rank":"primary","payer_name":"Medicare Part B","payer_id":"00952",'
      .. '"member_id":"1EG4TE5MK%02d","plan_type":"medicare"}]}',
    letters(counter, 6), run_tag, letters(index, 2),
    30 + counter % 60, 1 + counter % 12, 1 + counter % 28, 1 + counter % 9999, counter % 100)
  -- wrk.format uses the headers given instead of wrk.headers, so this table carries them all.
  local headers = {
    ["Authorization"] = wrk.headers["Authorization"],
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
  }
  if idempotency then
    headers["Idempotency-Key"] = run_tag .. "-" .. index .. "-" .. counter
  end
  return wrk.format("POST", "/api/v1/patients", headers, body)
end

function request()
  if scenario == "create" then
    return create_request()
  end
  return list_request
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if (status < 200 or status > 299) and first_failure == nil then
    first_failure = string.sub(body or "", 1, 400)
  end
end

local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local counts, failure, non2xx = {}, nil, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
      if status < 200 or status > 299 then non2xx = non2xx + n end
    end
    failure = failure or thread:get("first_failure")
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%d":%d', status, n)) end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,'
      .. '"p999_ms":%.2f,"max_ms":%.2f,"mean_ms":%.2f,"non2xx":%d,"socket_errors":%d,"timeouts":%d,'
      .. '"statuses":{%s},"first_failure":%s}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, latency.mean / 1000,
    non2xx, e.connect + e.read + e.write, e.timeout,
    table.concat(parts, ","), failure and json_string(failure) or "null"))
end
