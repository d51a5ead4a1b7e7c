-- KEYS[1] hub:locks:expiry (zset member "formId|field|token" -> expiry ms)   ARGV[1] member  ARGV[2] now (ms)
-- Forgets a scheduled expiry only if it is still due: a renewal that raced the reaper keeps its new time.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1
