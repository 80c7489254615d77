-- Registers a session as the one live session of (app, user), displacing any other, atomically.
-- KEYS[1] session hash of (app, user)   KEYS[2] expiry zset
-- ARGV: 1 sessionId, 2 pod, 3 now (ms), 4 deadline (ms), 5 member prefix "app:user:",
--       6 kick channel prefix, 7 app, 8 user
-- Returns {displacedSessionId, displacedPod, displacedSince, since}; the first three are false
-- when nothing was displaced (no session, or the same session again).
local old = redis.call('HMGET', KEYS[1], 'sid', 'pod', 'since')
local since = ARGV[3]
if old[1] == ARGV[1] then
  since = old[3] -- the same session registering again (a resumed socket): keep its start
end
redis.call('HSET', KEYS[1], 'sid', ARGV[1], 'pod', ARGV[2], 'since', since)
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5] .. ARGV[1])
if old[1] and old[1] ~= ARGV[1] then
  redis.call('ZREM', KEYS[2], ARGV[5] .. old[1])
  -- Told in the same step as the takeover: no window where both sessions look live.
  redis.call('PUBLISH', ARGV[6] .. old[2], cjson.encode({
    schema = 1, type = 'kicked', sdkAppId = tonumber(ARGV[7]), userId = ARGV[8],
    sessionId = old[1], pod = old[2], bySessionId = ARGV[1], byPod = ARGV[2], at = tonumber(ARGV[3])
  }))
  return {old[1], old[2], old[3], since}
end
return {false, false, false, since}
