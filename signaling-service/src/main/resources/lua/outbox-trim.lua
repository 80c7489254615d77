-- Removes the first ARGV[2] records of the outbox (those relayed), only if this pod still holds
-- the lease: a relay that lost it leaves the list to the next one, which checks Kafka first.
-- KEYS[1] lease   KEYS[2] outbox   ARGV[1] pod   ARGV[2] count. Returns 1 when trimmed, else 0.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('LTRIM', KEYS[2], tonumber(ARGV[2]), -1)
return 1
