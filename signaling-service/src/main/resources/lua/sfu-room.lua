-- Moves a group call's SFU room to another node, only if it is still where the caller saw it
-- (two pods finding the old node dead at once agree on one new node).
-- KEYS[1] trtc:sfu:room:{callId}; ARGV[1] the node seen ('' for none), ARGV[2] the new node,
-- ARGV[3] time to live (s). Returns {the room's node after the call, 1 if this call moved it
-- else 0}: only the pod that moved it tells the old node and the members.
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
  return {ARGV[2], 1}
end
return {current, 0}
