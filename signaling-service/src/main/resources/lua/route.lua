-- Publishes a frame to the pod holding the user's live session, in one step with finding it;
-- an invitation nobody took is held for the user in the same step (so a login that takes the
-- held invitations either sees it held, or is where it was published).
-- KEYS[1] the user's presence session hash (sid, pod)   KEYS[2] (optional) the user's held
-- invitations zset
-- ARGV: 1 channel prefix, 2 the envelope's remaining members as JSON text, without braces,
--       3 (with KEYS[2]) callId, 4 (with KEYS[2]) ring deadline (ms)
-- Returns 1 when a pod took it (the user is online there), 2 when held, 0 otherwise.
redis.replicate_commands() -- TIME before writes (Redis 6; a no-op from Redis 7)
local s = redis.call('HMGET', KEYS[1], 'sid', 'pod')
if s[1] and s[2] then
  local n = redis.call('PUBLISH', ARGV[1] .. s[2], '{"sessionId":' .. cjson.encode(s[1]) .. ',' .. ARGV[2] .. '}')
  if n > 0 then
    return 1
  end
end
if #KEYS < 2 then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local keep = tonumber(ARGV[4]) + 1000 - now
if redis.call('PTTL', KEYS[2]) < keep then -- only ever lengthened (-1/-2 are below too)
  redis.call('PEXPIRE', KEYS[2], keep)
end
return 2
