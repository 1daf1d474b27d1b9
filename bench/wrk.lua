-- wrk script: POST the JSON bodies of a file (one a line) in turn, and print the cell's
-- figures as one JSON line. Usage: wrk -s bench/wrk.lua URL -- BODIES_FILE
local bodies = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, line)
  end
end

function request()
  i = i % #bodies + 1
  return bodies[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"status_errors": %d, "other_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, e.status, e.connect + e.read + e.write + e.timeout))
end
