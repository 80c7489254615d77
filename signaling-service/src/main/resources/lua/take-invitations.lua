-- Takes a user's held invitations still ringing after ARGV[1] (ms), in one step.
-- KEYS[1] the user's held invitations zset
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
redis.call('DEL', KEYS[1])
return ids
