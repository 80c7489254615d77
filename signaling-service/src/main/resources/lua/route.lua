-- Publishes a frame to the pod holding the user's live session, in one step with finding it.
-- KEYS[1] the user's presence session hash (sid, pod)
-- ARGV: 1 channel prefix, 2 the envelope's remaining members as JSON text, without braces
-- Returns 1 when a pod took it (the user is online there), 0 otherwise (offline, or the pod
-- named in presence is gone and has not expired yet).
local s = redis.call('HMGET', KEYS[1], 'sid', 'pod')
if not s[1] or not s[2] then
  return 0
end
local n = redis.call('PUBLISH', ARGV[1] .. s[2], '{"sessionId":' .. cjson.encode(s[1]) .. ',' .. ARGV[2] .. '}')
if n > 0 then
  return 1
end
return 0
