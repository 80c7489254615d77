-- Ends a session if it is still the live one of (app, user).
-- KEYS[1] session hash   KEYS[2] expiry zset
-- ARGV: 1 sessionId, 2 member prefix "app:user:", 3 tombstone prefix, 4 ttl (ms)
-- Returns {ended (1/0), pod, since}.
redis.call('ZREM', KEYS[2], ARGV[2] .. ARGV[1])
-- Ended is final: a refresh already on its way may not bring it back.
redis.call('SET', ARGV[3] .. ARGV[2] .. ARGV[1], 'ended', 'PX', 2 * tonumber(ARGV[4]))
local cur = redis.call('HMGET', KEYS[1], 'sid', 'pod', 'since')
if cur[1] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {1, cur[2], cur[3]}
end
return {0, false, false}
