-- wrk.lua: the benchmarks' wrk script: the request from the environment, one summary line at the end.
--
-- BENCH_METHOD (GET), BENCH_BODY, BENCH_CONTENT_TYPE, BENCH_COOKIE, BENCH_ORIGIN, BENCH_AUTHORIZATION
-- (an Authorization header), BENCH_ACCEPT_ENCODING shape the request;
-- BENCH_COUNT_STATUS (e.g. 303) counts responses with that status (only then is a response()
-- hook installed, since it makes wrk hand every response to Lua).
-- Prints: "BENCH requests=N seconds=S rps=R p50_ms=.. p99_ms=.. max_ms=.. non2xx3xx=N
--          socket_errors=N timeouts=N counted=N counted_rps=R".

local env = os.getenv

wrk.method = env("BENCH_METHOD") or "GET"
local body = env("BENCH_BODY")
if body and body ~= "" then
	wrk.body = body
	wrk.headers["Content-Type"] = env("BENCH_CONTENT_TYPE") or "application/x-www-form-urlencoded"
end
-- Optional headers, each from its variable.
for name, var in pairs({ Cookie = "BENCH_COOKIE", Origin = "BENCH_ORIGIN", Authorization = "BENCH_AUTHORIZATION",
		["Accept-Encoding"] = "BENCH_ACCEPT_ENCODING" }) do
	local value = env(var)
	if value and value ~= "" then
		wrk.headers[name] = value
	end
end

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

local want = tonumber(env("BENCH_COUNT_STATUS") or "")
counted = 0
if want then
	function response(status, headers, body)
		if status == want then
			counted = counted + 1
		end
	end
end

function done(summary, latency, requests)
	local n = 0
	for _, t in ipairs(threads) do
		n = n + (t:get("counted") or 0)
	end
	local seconds = summary.duration / 1e6
	local e = summary.errors
	io.write(string.format("BENCH requests=%d seconds=%.3f rps=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
		.. "non2xx3xx=%d socket_errors=%d timeouts=%d counted=%d counted_rps=%.3f\n",
		summary.requests, seconds, summary.requests / seconds,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
		e.status, e.connect + e.read + e.write, e.timeout, n, n / seconds))
end
