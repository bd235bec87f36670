-- wrk script for `make bench`: every request is a different, realistic booking (bench/bodies.py
-- builds the same bodies in Python). The same bodies go to the floor view, so both runs parse
-- the same JSON.
--
--   wrk -t2 -c8 -d8s -s bench/bookings.lua URL -- <slug> <first date> <days> <tag> <threads>
--
-- Answers are sorted as they come back: 201, 400 "no_availability" (a full date: counted apart,
-- never in the rate), other 4xx, 5xx. done() prints one line "BENCH_JSON {...}" for the driver.

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

local TIME_SLOTS = {"AM", "PM", "10:00", "", "14:00", "am", "11:30"}
local APPLIANCES = {"Refrigerator", "Washer", "Dryer", "Dishwasher", "Range", "Microwave",
                    "wall oven"}
local ISSUES = {
  "Not cooling; the freezer is fine.",
  "Leaks from the door during the rinse cycle.",
  "Drum does not turn, makes a grinding noise.",
  "Error code E4 after a minute.",
}
local ZIP_CODES = {"93534", "93535", "93536"}

local function pick(list, n)
  return list[n % #list + 1]
end

function init(args)
  slug = args[1]
  local year, month, day = args[2]:match("(%d+)-(%d+)-(%d+)")
  days = tonumber(args[3])
  tag = args[4]
  thread_count = tonumber(args[5])
  -- Noon, so adding whole days never lands on the wrong date across a DST change.
  local first = os.time({year = tonumber(year), month = tonumber(month), day = tonumber(day),
                         hour = 12})
  dates = {}
  for i = 0, days - 1 do
    dates[i + 1] = os.date("%Y-%m-%d", first + i * 86400)
  end
  sent = 0
  created = 0
  date_full = 0
  other_4xx = 0
  server_errors = 0
  other = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  -- Threads interleave their numbers, so every body of the run differs and dates cycle evenly.
  local n = sent * thread_count + thread_number
  sent = sent + 1
  local body = string.format(
    '{"slug":"%s","name":"Bench Customer %s-%d","phone":"+1661%07d",' ..
    '"email":"customer%d.%s@example.com","address":"%d Main St, Lancaster CA %s",' ..
    '"appliance_type":"%s","issue":"%s","scheduled_date":"%s","time_slot":"%s",' ..
    '"source":"bench","work_order_number":"WO-%s-%d"}',
    slug, tag, n, n % 10000000,
    n, tag, n % 9000 + 100, pick(ZIP_CODES, n),
    pick(APPLIANCES, n), pick(ISSUES, n), dates[n % days + 1], pick(TIME_SLOTS, n),
    tag, n)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 400 and body:find('"no_availability"', 1, true) then
    date_full = date_full + 1
  elseif status >= 400 and status < 500 then
    other_4xx = other_4xx + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local totals = {created = 0, date_full = 0, other_4xx = 0, server_errors = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"created":%d,"date_full":%d,' ..
    '"other_4xx":%d,"server_errors":%d,"other":%d,"p50_us":%d,"p95_us":%d,' ..
    '"socket_errors":%d}\n',
    summary.duration, summary.requests, totals.created, totals.date_full, totals.other_4xx,
    totals.server_errors, totals.other, latency:percentile(50), latency:percentile(95),
    errors.connect + errors.read + errors.write + errors.timeout))
end
