-- Stores a call's new state only if nobody changed it since it was read (compare-and-set).
-- KEYS[1] call hash   ARGV: 1 version read ('' for a new call), 2 new version, 3 snapshot JSON,
-- 4 ttl (ms) of the record
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
