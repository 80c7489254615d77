-- Gives up the relay lease if this pod holds it (a pod stopping), so another takes over at once.
-- KEYS[1] lease   ARGV[1] pod
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return 1
