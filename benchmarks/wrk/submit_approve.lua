-- wrk script of the submit-approve benchmark (docs/benchmarks.md): run with -t N -c N (one connection per
-- thread, so a thread's requests are sequential). Each thread walks its share of the draft IVR ids in
-- BENCH_DRAFTS (one per line) and, for each, sends in order:
--   POST /api/v1/ivrs/{id}/submit        as the doctor   (BENCH_DOCTOR_TOKEN)
--   POST /api/v1/ivrs/{id}/start-review  as the reviewer (BENCH_REVIEWER_TOKEN)
--   POST /api/v1/ivrs/{id}/approve       as the reviewer, one covered primary insurance valid to BENCH_VALID_UNTIL
-- It times each request itself (CLOCK_MONOTONIC through LuaJIT's ffi, from request() to response()) and prints
-- one line, BENCH_RESULT {json}, with the overall figures and, per action, count and latency percentiles.
-- A failed step moves the thread to its next draft (the later steps would only fail too).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local doctor = os.getenv("BENCH_DOCTOR_TOKEN") or error("BENCH_DOCTOR_TOKEN is not set")
local reviewer = os.getenv("BENCH_REVIEWER_TOKEN") or error("BENCH_REVIEWER_TOKEN is not set")
local drafts_file = os.getenv("BENCH_DRAFTS") or error("BENCH_DRAFTS is not set")
local valid_until = os.getenv("BENCH_VALID_UNTIL") or error("BENCH_VALID_UNTIL is not set")
local thread_total = tonumber(os.getenv("BENCH_THREADS") or "") or error("BENCH_THREADS is not set")

local ACTIONS = { "submit", "start-review", "approve" }
local APPROVE_BODY = '{"coverages":[{"insurance_rank":"primary","active":true,"plan_name":"Medicare Part B",'
  .. '"plan_type":"medicare","network_status":"in_network","outcome":"covered",'
  .. '"deductible_total":"257.00","deductible_remaining":"0.00","coinsurance_percent":"20","copay":"0.00",'
  .. '"prior_auth_required":false,"verification_method":"portal","call_reference":"REF123",'
  .. '"valid_until":"' .. valid_until .. '"}]}'

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state); read back in done() with thread:get.
statuses = {}
first_failure = nil
-- One flat list per action (wrk's thread:get copies nested tables poorly): latencies_1 is submit, and so on.
latencies_1, latencies_2, latencies_3 = {}, {}, {}
exhausted = 0
completed = 0

local ids = {}
local position, step, sent_at, current = 0, 1, 0, nil

function init(args)
  local mine, index = {}, 0
  for line in io.lines(drafts_file) do
    if line ~= "" then
      if index % thread_total == thread_index then table.insert(mine, line) end
      index = index + 1
    end
  end
  ids = mine
end

local function headers(token)
  return {
    ["Authorization"] = "Bearer " .. token,
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
  }
end

function request()
  if step == 1 then
    position = position + 1
    current = ids[position]
  end
  if current == nil then
    -- The pool ran out: a harmless request, counted, so the run says the pool was too small.
    exhausted = exhausted + 1
    step = 0
    sent_at = now_ms()
    return wrk.format("GET", "/health/live")
  end
  local action = ACTIONS[step]
  local token = step == 1 and doctor or reviewer
  local body = step == 3 and APPROVE_BODY or "{}"
  sent_at = now_ms()
  return wrk.format("POST", "/api/v1/ivrs/" .. current .. "/" .. action, headers(token), body)
end

function response(status, headers, body)
  local elapsed = now_ms() - sent_at
  statuses[status] = (statuses[status] or 0) + 1
  if step == 0 then
    step = 1
    return
  end
  local list = step == 1 and latencies_1 or (step == 2 and latencies_2 or latencies_3)
  list[#list + 1] = elapsed
  if status < 200 or status > 299 then
    if first_failure == nil then
      first_failure = ACTIONS[step] .. " " .. status .. ": " .. string.sub(body or "", 1, 400)
    end
    step = 1
    return
  end
  if step == 3 then
    completed = completed + 1
    step = 1
  else
    step = step + 1
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  local rank = math.max(1, math.ceil(p / 100 * #sorted))
  return sorted[rank]
end

local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local counts, failure, non2xx, ran_out, triples = {}, nil, 0, 0, 0
  local merged = { ["submit"] = {}, ["start-review"] = {}, ["approve"] = {} }
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
      if status < 200 or status > 299 then non2xx = non2xx + n end
    end
    failure = failure or thread:get("first_failure")
    ran_out = ran_out + thread:get("exhausted")
    triples = triples + thread:get("completed")
    for index, action in ipairs(ACTIONS) do
      for _, v in ipairs(thread:get("latencies_" .. index)) do table.insert(merged[action], v) end
    end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%d":%d', status, n)) end
  local seconds = summary.duration / 1e6
  local per_action = {}
  for _, action in ipairs(ACTIONS) do
    local list = merged[action]
    table.sort(list)
    local sum = 0
    for _, v in ipairs(list) do sum = sum + v end
    table.insert(per_action, string.format(
      '"%s":{"requests":%d,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"mean_ms":%.2f}',
      action, #list, #list / seconds, percentile(list, 50), percentile(list, 90), percentile(list, 99),
      list[#list] or 0, #list > 0 and sum / #list or 0))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,'
      .. '"p999_ms":%.2f,"max_ms":%.2f,"mean_ms":%.2f,"non2xx":%d,"socket_errors":%d,"timeouts":%d,'
      .. '"statuses":{%s},"first_failure":%s,"approved":%d,"pool_exhausted":%d,"actions":{%s}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, latency.mean / 1000,
    non2xx, e.connect + e.read + e.write, e.timeout,
    table.concat(parts, ","), failure and json_string(failure) or "null", triples, ran_out,
    table.concat(per_action, ",")))
end
