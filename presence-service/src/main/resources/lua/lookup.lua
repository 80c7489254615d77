-- The live session of each user: KEYS are session hashes; returns {sid, pod, since} per key.
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('HMGET', key, 'sid', 'pod', 'since')
end
return out
