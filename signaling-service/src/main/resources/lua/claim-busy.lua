-- A new call takes its users' "busy" keys in one step, so two calls racing for the same callee
-- cannot both ring it. A user whose key names another call is busy.
-- KEYS[1] the caller's busy key, KEYS[2..] the callees'   ARGV: 1 callId, 2 ttl (ms)
-- Returns {-1} (and takes nothing) when the caller is in another call; otherwise the 1-based
-- indexes (into KEYS) of the busy callees, after taking the keys of the others and the caller's.
local function other(k)
  local cur = redis.call('GET', k)
  return cur and cur ~= ARGV[1]
end
if other(KEYS[1]) then
  return {-1}
end
local busy = {}
for i = 1, #KEYS do
  if i > 1 and other(KEYS[i]) then
    busy[#busy + 1] = i
  else
    redis.call('SET', KEYS[i], ARGV[1], 'PX', tonumber(ARGV[2]))
  end
end
return busy
