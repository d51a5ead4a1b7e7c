-- KEYS[1] hub:pres:{topic}  KEYS[2] hub:pres:{topic}:exp   ARGV[1] now (ms)
-- Drops entries whose owner stopped refreshing them, then returns the live ones.
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, ref in ipairs(stale) do
  redis.call('HDEL', KEYS[1], ref)
  redis.call('ZREM', KEYS[2], ref)
end
return redis.call('HVALS', KEYS[1])
