--[[
  Counts one action in a fixed window and says whether it is over the limit; the window starts with its first action.

  Input:
    KEYS[1] the counter, `<keyPrefix>:rate:<action>:<userId>`
    ARGV[1] most actions per window
    ARGV[2] window, ms

  Output:
    {allowed (1) or refused (0), ms left in the window}
]]
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if count > tonumber(ARGV[1]) then return {0, redis.call('PTTL', KEYS[1])} end
return {1, 0}
