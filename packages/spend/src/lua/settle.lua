--[[
  Settles one attempt's reservation to what it really used (a failed attempt settles to what it used, usually
  nothing: a release), then reports which alert thresholds (80, 90, 100 % of each limit) the period's counters
  crossed for the first time. Sent in the same pipeline as the attempt's usage event (XADD), so an answered request
  has its event in Redis before its answer completes.

  Input:
    KEYS[1] the user's counters for the period (hash), `<ns>:spend:{u:<userId>}:<YYYY-MM>`
    ARGV[1] reserved tokens
    ARGV[2] reserved cost, nano-USD
    ARGV[3] used tokens
    ARGV[4] used cost, nano-USD
    ARGV[5] provider id
    ARGV[6] monthly request limit (0 = unlimited)
    ARGV[7] monthly token limit (0 = unlimited)
    ARGV[8] monthly cost cap, nano-USD (0 = unlimited)
    ARGV[9] the provider's monthly request limit (0 = unlimited)
    ARGV[10] the provider's monthly cost cap, nano-USD (0 = unlimited)
    ARGV[11] expiry of the period counters, ms

  Output:
    {requests, tokens, cost nano, crossed alert 1, crossed alert 2, ...}; an alert is `<limit>:<percent>` with
    limit one of requests | tokens | cost | provider_requests:<provider> |
    provider_cost:<provider>.
]]
local hash = KEYS[1]
local provider = ARGV[5]
local providerRequestsField = 'p:' .. provider .. ':requests'
local providerCostField = 'p:' .. provider .. ':cost'
local tokenDelta = tonumber(ARGV[3]) - tonumber(ARGV[1])
local costDelta = tonumber(ARGV[4]) - tonumber(ARGV[2])

local tokens = redis.call('HINCRBY', hash, 'tokens', tokenDelta)
local cost = redis.call('HINCRBY', hash, 'cost', costDelta)
local providerCost = redis.call('HINCRBY', hash, providerCostField, costDelta)
local requests = tonumber(redis.call('HGET', hash, 'requests') or '0')
local providerRequests = tonumber(redis.call('HGET', hash, providerRequestsField) or '0')
redis.call('PEXPIRE', hash, ARGV[11])

local result = {requests, tokens, cost}
local function check(limit, used, max)
  if max <= 0 then return end
  for _, percent in ipairs({80, 90, 100}) do
    if used * 100 >= max * percent and redis.call('HSETNX', hash, 'alert:' .. limit .. ':' .. percent, 1) == 1 then
      table.insert(result, limit .. ':' .. percent)
    end
  end
end
check('requests', requests, tonumber(ARGV[6]))
check('tokens', tokens, tonumber(ARGV[7]))
check('cost', cost, tonumber(ARGV[8]))
check('provider_requests:' .. provider, providerRequests, tonumber(ARGV[9]))
check('provider_cost:' .. provider, providerCost, tonumber(ARGV[10]))
return result
