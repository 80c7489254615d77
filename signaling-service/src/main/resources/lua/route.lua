-- Publishes a frame to the pod holding the user's live session, in one step with finding it.
-- KEYS[1] the user's presence session hash (sid, pod)
-- ARGV: 1 channel prefix, 2 the envelope's remaining members as JSON text, without braces
-- Returns 1 when published (the user is online), 0 otherwise.
local s = redis.call('HMGET', KEYS[1], 'sid', 'pod')
if not s[1] or not s[2] then
  return 0
end
redis.call('PUBLISH', ARGV[1] .. s[2], '{"sessionId":' .. cjson.encode(s[1]) .. ',' .. ARGV[2] .. '}')
return 1
