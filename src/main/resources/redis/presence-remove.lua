-- KEYS[1] hub:pres:{topic}  KEYS[2] hub:pres:{topic}:exp   ARGV[1] ref
-- Returns the removed entry, or false when there was none.
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return entry
