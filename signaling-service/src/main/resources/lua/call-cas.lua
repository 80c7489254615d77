-- Stores a call's new state only if nobody changed it since it was read (compare-and-set), and
-- its indexes in the same step.
-- The change's call events go to the event outbox in the same step: an event exists exactly
-- when its change was stored, in the order changes were stored.
-- KEYS[1] call hash   KEYS[2] deadlines zset   KEYS[3] event outbox list   KEYS[4..] the
-- participants' "busy" keys
-- ARGV: 1 version read ('' for a new call), 2 new version, 3 snapshot JSON, 4 ttl (ms) of the
-- record, 5 callId, 6 next ringing deadline (ms; 0: none), 7 the number E of events, 8..7+E the
-- events (JSON), then per busy key '1' (ringing or in this call: the key names it, unless it
-- names another call) or '0' (not: the key is removed if it still names this call).
-- Returns 1 when stored, 0 when someone else changed the call first.
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
if ARGV[6] ~= '0' then
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
else
  redis.call('ZREM', KEYS[2], ARGV[5])
end
local events = tonumber(ARGV[7])
for i = 1, events do
  redis.call('RPUSH', KEYS[3], ARGV[7 + i])
end
for i = 4, #KEYS do
  local cur = redis.call('GET', KEYS[i])
  if ARGV[4 + events + i] == '1' then
    if not cur or cur == ARGV[5] then -- never take a key that names another call
      redis.call('SET', KEYS[i], ARGV[5], 'PX', tonumber(ARGV[4]))
    end
  elseif cur == ARGV[5] then
    redis.call('DEL', KEYS[i])
  end
end
return 1
