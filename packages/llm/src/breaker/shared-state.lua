--[[
  Included at the top of every breaker script (`--- @include "shared-state.lua"`), after its header.
  Reads the provider's shared state as `before`, and defines finish(before): it returns the state after the
  script's change and, when that state changed, publishes it as JSON {provider, openUntil, probeUntil,
  rateLimitedUntil} so every process's mirror follows within a round trip.

  Input (common to every breaker script):
    KEYS[1] the state hash: `<keyPrefix>llm:health:{<provider>}`, or `...{<provider>}:model:<model>`
    ARGV[1] the pub/sub channel of state changes, `<keyPrefix>llm:health`
    ARGV[2] the breaker target's name, as published (the provider, or provider and model joined by \31)

  Defines:
    before      {openUntil, probeUntil, rateLimitedUntil} (epoch ms, 0 for none) before the change
    finish(b)   the state after the change, in the same shape; publishes it if it differs from b
]]
local function finish(before)
  local after = redis.call('HMGET', KEYS[1], 'openUntil', 'probeUntil', 'rateLimitedUntil')
  local state = {tonumber(after[1]) or 0, tonumber(after[2]) or 0, tonumber(after[3]) or 0}
  if state[1] ~= before[1] or state[2] ~= before[2] or state[3] ~= before[3] then
    redis.call('PUBLISH', ARGV[1], cjson.encode({provider = ARGV[2], openUntil = state[1], probeUntil = state[2], rateLimitedUntil = state[3]}))
  end
  return state
end
local raw = redis.call('HMGET', KEYS[1], 'openUntil', 'probeUntil', 'rateLimitedUntil')
local before = {tonumber(raw[1]) or 0, tonumber(raw[2]) or 0, tonumber(raw[3]) or 0}
