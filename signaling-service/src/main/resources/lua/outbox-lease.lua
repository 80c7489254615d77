-- Takes or keeps the call-events relay lease: one pod at a time relays the outbox to Kafka.
-- KEYS[1] lease   ARGV[1] pod   ARGV[2] ttl (ms). Returns 1 while this pod holds it, else 0.
local cur = redis.call('GET', KEYS[1])
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
  return 1
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
