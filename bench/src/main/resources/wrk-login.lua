local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  token = os.getenv("BENCH_TOKEN")
end
request = function()
  counter = counter + 1
  local body = '{"sdkAppId":1400000001,"userId":"w' .. id .. '_' .. counter .. '","pod":"bench-' .. id .. '"}'
  return wrk.format("POST", "/v1/sessions", {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
