-- Takes up to ARGV[1] sessions whose deadline passed and ends those still live. Called by every
-- presence pod; ZREM decides which pod ends a session, so each offline is reported once.
-- KEYS[1] expiry zset
-- ARGV: 1 limit, 2 session hash prefix, 3 tombstone prefix, 4 ttl (ms)
-- Returns a flat list: member, pod, since, member, pod, since, ...
redis.replicate_commands()
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
for _, member in ipairs(due) do
  if redis.call('ZREM', KEYS[1], member) == 1 then
    local app, user, sid = string.match(member, '^(%d+):([^:]+):(.+)$')
    if app then
      local key = ARGV[2] .. app .. ':' .. user
      local cur = redis.call('HMGET', key, 'sid', 'pod', 'since')
      if cur[1] == sid then
        redis.call('DEL', key)
        redis.call('SET', ARGV[3] .. member, 'expired', 'PX', 2 * tonumber(ARGV[4]))
        out[#out + 1] = member
        out[#out + 1] = cur[2]
        out[#out + 1] = cur[3]
      end
    end
  end
end
return out
