-- Releases a lock only if this holder still owns it (a holder whose TTL ran out must not free the next one's lock).
-- KEYS[1]: the lock key
-- ARGV[1]: the holder's token, as set with SET NX PX
-- Returns 1 when released, 0 when the lock was gone or held by someone else.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
