-- Registers a session as the one live session of (app, user), displacing any other, atomically.
-- KEYS[1] session hash of (app, user)   KEYS[2] expiry zset
-- ARGV: 1 sessionId, 2 pod, 3 ttl (ms), 4 member prefix "app:user:", 5 kick channel prefix,
--       6 app (digits), 7 user, 8 tombstone prefix
-- Returns {displacedSessionId, displacedPod, displacedSince, since, fresh}; the first three are
-- false when nothing was displaced; fresh is 0 when the same session registered again.
redis.replicate_commands() -- TIME before writes (Redis 6; a no-op from Redis 7)
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local old = redis.call('HMGET', KEYS[1], 'sid', 'pod', 'since')
local since = now
if old[1] == ARGV[1] then
  since = tonumber(old[3]) -- the same session registering again (a resumed socket): keep its start
end
redis.call('HSET', KEYS[1], 'sid', ARGV[1], 'pod', ARGV[2], 'since', since)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4] .. ARGV[1])
redis.call('DEL', ARGV[8] .. ARGV[4] .. ARGV[1])
if old[1] and old[1] ~= ARGV[1] then
  redis.call('ZREM', KEYS[2], ARGV[4] .. old[1])
  -- The displaced session may not come back through a refresh already on its way.
  redis.call('SET', ARGV[8] .. ARGV[4] .. old[1], 'kicked', 'PX', 2 * tonumber(ARGV[3]))
  -- Told in the same step as the takeover: no window where both sessions look live. Built by
  -- hand: cjson would print a 15-digit SDKAppID in exponent form.
  redis.call('PUBLISH', ARGV[5] .. old[2], '{"schema":1,"type":"kicked","sdkAppId":' .. ARGV[6]
    .. ',"userId":' .. cjson.encode(ARGV[7]) .. ',"sessionId":' .. cjson.encode(old[1])
    .. ',"pod":' .. cjson.encode(old[2]) .. ',"bySessionId":' .. cjson.encode(ARGV[1])
    .. ',"byPod":' .. cjson.encode(ARGV[2]) .. ',"at":' .. string.format('%d', now) .. '}')
  return {old[1], old[2], old[3], string.format('%d', since), 1}
end
local fresh = 1
if old[1] == ARGV[1] then
  fresh = 0
end
return {false, false, false, string.format('%d', since), fresh}
