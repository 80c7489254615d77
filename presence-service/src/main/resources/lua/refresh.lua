-- Refreshes a chunk of one pod's sessions: pushes their deadlines forward. A session missing
-- from Redis (data lost in a restart) is restored; one displaced meanwhile is reported lost.
-- KEYS[1] expiry zset, KEYS[2..n+1] session hashes
-- ARGV: 1 deadline (ms), 2 pod, 3 now (ms), then n session ids, then n member names
-- Returns {restoredIndexes, lostIndexes} (1-based over the chunk).
local n = #KEYS - 1
local restored, lost = {}, {}
for i = 1, n do
  local sid = ARGV[3 + i]
  local member = ARGV[3 + n + i]
  local cur = redis.call('HGET', KEYS[1 + i], 'sid')
  if cur == sid then
    redis.call('ZADD', KEYS[1], ARGV[1], member)
  elseif not cur then
    redis.call('HSET', KEYS[1 + i], 'sid', sid, 'pod', ARGV[2], 'since', ARGV[3])
    redis.call('ZADD', KEYS[1], ARGV[1], member)
    restored[#restored + 1] = i
  else
    lost[#lost + 1] = i
  end
end
return {restored, lost}
