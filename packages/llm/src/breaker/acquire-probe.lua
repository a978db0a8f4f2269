--[[
  Takes the half-open probe slot atomically, so exactly one process probes. It is taken under the conditions of
  the probe branch of decideGate (gate.ts): no rate-limit mark in force, breaker opened and its cooldown over,
  slot free.

  Input:
    KEYS[1] the state hash: `<keyPrefix>llm:health:{<provider>}`, or `...{<provider>}:model:<model>`
    ARGV[1] the pub/sub channel of state changes, `<keyPrefix>llm:health`
    ARGV[2] the breaker target's name, as published (the provider, or provider and model joined by \31)
    ARGV[3] now, epoch ms
    ARGV[4] probeTimeoutMs: how long the slot stays taken if the probe never reports

  Output:
    {1, state} when this call took the slot, else {0, state}; state = {openUntil, probeUntil, rateLimitedUntil}
    (epoch ms, 0 for none) after the call. Publishes the state when the slot was taken.
]]
--- @include "shared-state.lua"
local now = tonumber(ARGV[3])
if before[3] <= now and before[1] > 0 and now >= before[1] and before[2] <= now then
  redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[4]))
  return {1, finish(before)}
end
return {0, before}
