--[[
  Marks the provider as out of rate-limit headroom until a time (kept if a later mark is already in force), and
  keeps the hash alive at least that long.

  Input:
    KEYS[1] the provider's state hash, `<keyPrefix>llm:health:{<provider>}`
    ARGV[1] the pub/sub channel of state changes, `<keyPrefix>llm:health`
    ARGV[2] the provider's name, as published
    ARGV[3] until, epoch ms
    ARGV[4] now, epoch ms

  Output:
    {openUntil, probeUntil, rateLimitedUntil} (epoch ms, 0 for none) after the call. Publishes the state when it
    changed.
]]
--- @include "shared-state.lua"
local untilMs = tonumber(ARGV[3])
if untilMs > before[3] then redis.call('HSET', KEYS[1], 'rateLimitedUntil', untilMs) end
local ttl = redis.call('PTTL', KEYS[1])
local needed = untilMs - tonumber(ARGV[4])
if ttl < needed then redis.call('PEXPIRE', KEYS[1], needed) end
return finish(before)
