-- A call that could not be stored gives back the busy keys it took.
-- KEYS: busy keys   ARGV: 1 callId
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
  end
end
return 1
