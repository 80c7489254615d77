-- Refreshes a chunk of one pod's sessions: pushes their deadlines forward. A session missing
-- from Redis is restored only if Redis lost it (no tombstone); one ended, expired or displaced
-- meanwhile is reported lost, so it never comes back.
-- KEYS[1] expiry zset, KEYS[2..n+1] session hashes
-- ARGV: 1 ttl (ms), 2 pod, 3 tombstone prefix, then n session ids, then n member names
-- Returns {restoredIndexes, lostIndexes} (1-based over the chunk).
redis.replicate_commands()
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local deadline = now + tonumber(ARGV[1])
local n = #KEYS - 1
local restored, lost = {}, {}
for i = 1, n do
  local sid = ARGV[3 + i]
  local member = ARGV[3 + n + i]
  local cur = redis.call('HGET', KEYS[1 + i], 'sid')
  if cur == sid then
    redis.call('ZADD', KEYS[1], deadline, member)
  elseif not cur and redis.call('EXISTS', ARGV[3] .. member) == 0 then
    redis.call('HSET', KEYS[1 + i], 'sid', sid, 'pod', ARGV[2], 'since', now)
    redis.call('ZADD', KEYS[1], deadline, member)
    restored[#restored + 1] = i
  else
    lost[#lost + 1] = i
  end
end
return {restored, lost}
