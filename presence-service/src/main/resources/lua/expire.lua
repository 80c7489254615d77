-- Takes up to ARGV[2] sessions whose deadline passed and ends those still live. Called by every
-- presence pod; ZREM decides which pod ends a session, so each offline is reported once.
-- KEYS[1] expiry zset
-- ARGV: 1 now (ms), 2 limit, 3 session hash prefix
-- Returns a flat list: member, pod, since, member, pod, since, ...
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, member in ipairs(due) do
  if redis.call('ZREM', KEYS[1], member) == 1 then
    local app, user, sid = string.match(member, '^(%d+):([^:]+):(.+)$')
    if app then
      local key = ARGV[3] .. app .. ':' .. user
      local cur = redis.call('HMGET', key, 'sid', 'pod', 'since')
      if cur[1] == sid then
        redis.call('DEL', key)
        out[#out + 1] = member
        out[#out + 1] = cur[2]
        out[#out + 1] = cur[3]
      end
    end
  end
end
return out
