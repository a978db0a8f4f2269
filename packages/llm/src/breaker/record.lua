--[[
  Records outcomes against the provider's breaker: the successes a process counted since its last flush, the
  success of its half-open probe, or one failure. The Lua twin of createMemoryHealthStore's record
  (memory-store.ts); test/breaker/breaker-parity.integration.test.ts runs the same scenarios against both.
  With nothing to record it only reads the state (the periodic sync).

  Input:
    KEYS[1]  the state hash: `<keyPrefix>llm:health:{<provider>}`, or `...{<provider>}:model:<model>`
    ARGV[1]  the pub/sub channel of state changes, `<keyPrefix>llm:health`
    ARGV[2]  the breaker target's name, as published (the provider, or provider and model joined by \31)
    ARGV[3]  now, epoch ms
    ARGV[4]  successes counted by this process since its last flush
    ARGV[5]  '1' when this process's half-open probe succeeded, else '0'
    ARGV[6]  the failure's LlmErrorKind, '' when no failure is recorded
    ARGV[7]  the failure's retryAfterMs (0 for none)
    ARGV[8]  failureThreshold
    ARGV[9]  failureRatio
    ARGV[10] minimumRequests
    ARGV[11] windowMs
    ARGV[12] cooldownMs
    ARGV[13] longCooldownMs
    ARGV[14] '1' when the failure is slow (weak evidence: counts toward the ratio, not the consecutive count)

  Output:
    {openUntil, probeUntil, rateLimitedUntil} (epoch ms, 0 for none) after the call. Publishes the state when it
    changed.
]]
--- @include "shared-state.lua"
local now = tonumber(ARGV[3])
local successes = tonumber(ARGV[4])
local probeSuccess = ARGV[5] == '1'
local kind = ARGV[6]
local retryAfter = tonumber(ARGV[7]) or 0
local threshold = tonumber(ARGV[8])
local ratio = tonumber(ARGV[9])
local minimum = tonumber(ARGV[10])
local windowMs = tonumber(ARGV[11])
local cooldown = tonumber(ARGV[12])
local longCooldown = tonumber(ARGV[13])
local slow = ARGV[14] == '1'
if successes == 0 and kind == '' and not probeSuccess then return before end
local f = redis.call('HMGET', KEYS[1], 'consecutive', 'windowStart', 'windowTotal', 'windowFailures')
local consecutive = tonumber(f[1]) or 0
local windowStart = tonumber(f[2]) or 0
local total = tonumber(f[3]) or 0
local failures = tonumber(f[4]) or 0
local openUntil = before[1]
local probeUntil = before[2]
if now - windowStart > windowMs then
  windowStart = now
  total = 0
  failures = 0
end
total = total + successes
if successes > 0 then consecutive = 0 end
local halfOpen = openUntil > 0 and now >= openUntil
if probeSuccess and halfOpen then
  openUntil = 0
  probeUntil = 0
  windowStart = now
  total = successes
  failures = 0
end
if kind ~= '' then
  total = total + 1
  if not slow then consecutive = consecutive + 1 end
  failures = failures + 1
  local untilMs = 0
  if halfOpen then untilMs = now + cooldown end
  if consecutive >= threshold or (total >= minimum and failures / total >= ratio) then untilMs = math.max(untilMs, now + cooldown) end
  if kind == 'auth' or kind == 'not_found' then untilMs = math.max(untilMs, now + longCooldown) end
  if kind == 'rate_limit' and retryAfter > 0 then untilMs = math.max(untilMs, now + retryAfter) end
  if untilMs > openUntil then openUntil = untilMs end
  probeUntil = 0
end
redis.call('HSET', KEYS[1], 'consecutive', consecutive, 'windowStart', windowStart, 'windowTotal', total, 'windowFailures', failures, 'openUntil', openUntil, 'probeUntil', probeUntil)
local ttl = redis.call('PTTL', KEYS[1])
local needed = math.max(windowMs, openUntil - now, before[3] - now) + longCooldown
if ttl < needed then redis.call('PEXPIRE', KEYS[1], needed) end
return finish(before)
