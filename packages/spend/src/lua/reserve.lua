--[[
  Checks every plan limit that applies to one provider attempt and, when all pass, reserves its worst case, in one
  atomic step: concurrent attempts on any number of gateway replicas can never reserve past a limit together.
  All keys carry the user's hash tag `{u:<userId>}`, so a Redis Cluster keeps them on one shard.

  Input:
    KEYS[1] the user's counters for the period (hash), `<ns>:spend:{u:<userId>}:<YYYY-MM>`
    KEYS[2] the user's rate counter for the minute, `<ns>:spend:{u:<userId>}:rate`
    KEYS[3] the API key's rate counter for the minute, `<ns>:spend:{u:<userId>}:key:<keyId>`
    ARGV[1] requests to count: 1 for the first attempt of a request, 0 for a fallback's re-reservation
    ARGV[2] tokens to reserve (counted prompt + completion bound)
    ARGV[3] cost to reserve, nano-USD (integer)
    ARGV[4] provider id (`openai`), for the per-provider counters
    ARGV[5] monthly request limit (0 = unlimited)
    ARGV[6] monthly token limit (0 = unlimited)
    ARGV[7] monthly cost cap, nano-USD (0 = unlimited)
    ARGV[8] the provider's monthly request limit (0 = unlimited)
    ARGV[9] the provider's monthly cost cap, nano-USD (0 = unlimited)
    ARGV[10] the user's requests per minute (0 = off)
    ARGV[11] the API key's requests per minute (0 = off)
    ARGV[12] rate window, ms
    ARGV[13] expiry of the period counters, ms

  Output:
    admitted: {1, requests, tokens, cost nano, provider requests, provider cost nano}
    refused:  {0, limit, window ms left (rate limits only), crossed alert}
      limit is one of requests | tokens | cost | provider_requests:<provider> | provider_cost:<provider> | rate
      | key_rate;
      crossed alert is `<limit>:100` the first time that limit refuses in the period, else ''.
]]
local hash = KEYS[1]
local countRequests = tonumber(ARGV[1])
local tokens = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local provider = ARGV[4]

if countRequests > 0 then
  local userRate = tonumber(ARGV[10])
  if userRate > 0 then
    local used = redis.call('INCR', KEYS[2])
    if used == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[12]) end
    if used > userRate then return {0, 'rate', redis.call('PTTL', KEYS[2]), ''} end
  end
  local keyRate = tonumber(ARGV[11])
  if keyRate > 0 then
    local used = redis.call('INCR', KEYS[3])
    if used == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[12]) end
    if used > keyRate then return {0, 'key_rate', redis.call('PTTL', KEYS[3]), ''} end
  end
end

local providerRequestsField = 'p:' .. provider .. ':requests'
local providerCostField = 'p:' .. provider .. ':cost'
local current = redis.call('HMGET', hash, 'requests', 'tokens', 'cost', providerRequestsField, providerCostField)
local requests = tonumber(current[1] or '0')
local usedTokens = tonumber(current[2] or '0')
local usedCost = tonumber(current[3] or '0')
local providerRequests = tonumber(current[4] or '0')
local providerCost = tonumber(current[5] or '0')

local function refuse(limit)
  local alert = ''
  if redis.call('HSETNX', hash, 'alert:' .. limit .. ':100', 1) == 1 then alert = limit .. ':100' end
  redis.call('PEXPIRE', hash, ARGV[13])
  return {0, limit, 0, alert}
end

local requestLimit = tonumber(ARGV[5])
if requestLimit > 0 and requests + countRequests > requestLimit then return refuse('requests') end
local tokenLimit = tonumber(ARGV[6])
if tokenLimit > 0 and usedTokens + tokens > tokenLimit then return refuse('tokens') end
local costCap = tonumber(ARGV[7])
if costCap > 0 and usedCost + cost > costCap then return refuse('cost') end
local providerRequestLimit = tonumber(ARGV[8])
if providerRequestLimit > 0 and providerRequests + countRequests > providerRequestLimit then
  return refuse('provider_requests:' .. provider)
end
local providerCostCap = tonumber(ARGV[9])
if providerCostCap > 0 and providerCost + cost > providerCostCap then return refuse('provider_cost:' .. provider) end

requests = redis.call('HINCRBY', hash, 'requests', countRequests)
usedTokens = redis.call('HINCRBY', hash, 'tokens', tokens)
usedCost = redis.call('HINCRBY', hash, 'cost', cost)
providerRequests = redis.call('HINCRBY', hash, providerRequestsField, countRequests)
providerCost = redis.call('HINCRBY', hash, providerCostField, cost)
redis.call('PEXPIRE', hash, ARGV[13])
return {1, requests, usedTokens, usedCost, providerRequests, providerCost}
