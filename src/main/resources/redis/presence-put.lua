-- KEYS[1] hub:pres:{topic} (hash ref -> entry)   KEYS[2] hub:pres:{topic}:exp (zset ref -> expiry ms)
-- ARGV[1] ref  ARGV[2] entry json  ARGV[3] expires at (ms)  ARGV[4] key ttl (ms)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
