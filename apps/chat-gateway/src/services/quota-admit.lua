--[[
  Counts one request against a key's rate limit and its user's monthly quota, atomically, so a request costs one
  Redis round trip. A rate-limited request is not counted against the quota.

  Input:
    KEYS[1] the API key's rate counter, `<keyPrefix>:rate:<keyId>`
    KEYS[2] the user's quota counter for the month, `<keyPrefix>:quota:<userId>:<YYYY-MM>`
    ARGV[1] rate limit: most requests per window (0 = off)
    ARGV[2] rate window, ms (the rate counter's expiry, set by its first request)
    ARGV[3] monthly quota: most requests per month (0 = unlimited)
    ARGV[4] quota counter expiry, ms (set by its first request)

  Output:
    {verdict, rate count, window ms left, quota used}; verdict 0 = rate limited (quota not counted),
    1 = quota used up, 2 = allowed. Window ms left is only set when rate limited.
]]
local rate = 0
local windowLeft = 0
local rateMax = tonumber(ARGV[1])
if rateMax > 0 then
  rate = redis.call('INCR', KEYS[1])
  if rate == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  if rate > rateMax then return {0, rate, redis.call('PTTL', KEYS[1]), 0} end
end
local used = 0
if tonumber(ARGV[3]) > 0 then
  used = redis.call('INCR', KEYS[2])
  if used == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
  if used > tonumber(ARGV[3]) then return {1, rate, windowLeft, used} end
end
return {2, rate, windowLeft, used}
