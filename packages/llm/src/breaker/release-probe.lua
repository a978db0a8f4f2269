--[[
  Frees the half-open probe slot of a provider (or of one of its models) when the call that held it carried no
  evidence either way (it failed before sending a byte, or on the caller's own error): the next call may probe.
  Nothing is counted; a state hash that does not exist is not created.

  Input:
    KEYS[1] the state hash: `<keyPrefix>llm:health:{<provider>}` or `<keyPrefix>llm:health:{<provider>}:model:<model>`
    ARGV[1] the pub/sub channel of state changes, `<keyPrefix>llm:health`
    ARGV[2] the breaker target's name, as published (the provider, or provider and model joined by \31)
    ARGV[3] now, epoch ms

  Output:
    {openUntil, probeUntil, rateLimitedUntil} (epoch ms, 0 for none) after the call. Publishes the state when it
    changed.
]]
--- @include "shared-state.lua"
if before[2] > tonumber(ARGV[3]) then redis.call('HSET', KEYS[1], 'probeUntil', 0) end
return finish(before)
