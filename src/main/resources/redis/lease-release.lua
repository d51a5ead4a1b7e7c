-- KEYS[1] hub:lease:{name}   ARGV[1] holder (node id)
-- Gives the lease up, only if the caller holds it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
