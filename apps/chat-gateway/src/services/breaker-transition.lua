--[[
  Records a provider's breaker change once, however many gateway replicas heard it: every replica receives the
  breaker's pub/sub message and runs this; only the first to bring a new state appends it.

  Input:
    KEYS[1] the last recorded state of each provider (hash), `<keyPrefix>:console:breaker-state`
    KEYS[2] the transitions (stream, capped), `<keyPrefix>:console:breaker-transitions`
    ARGV[1] the provider
    ARGV[2] its state, `open` or `closed`
    ARGV[3] open until (epoch ms; 0 when closed)
    ARGV[4] when it was heard (epoch ms)
    ARGV[5] how many transitions to keep (approximately)

  Output:
    1 appended, 0 the same state was already recorded
]]
local signature = ARGV[2] .. ':' .. ARGV[3]
if redis.call('HGET', KEYS[1], ARGV[1]) == signature then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], signature)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*',
  'provider', ARGV[1], 'state', ARGV[2], 'openUntil', ARGV[3], 'at', ARGV[4])
return 1
