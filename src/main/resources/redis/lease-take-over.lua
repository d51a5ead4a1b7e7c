-- KEYS[1] a lease   ARGV[1] the holder found dead   ARGV[2] the new holder (node id)   ARGV[3] time to live, ms
-- Takes over a lease held by a node that liveness declared dead, only if that node still holds it (not if it was
-- released, or another survivor took it first). Returns 1 when the caller holds it now.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
