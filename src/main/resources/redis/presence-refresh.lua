-- KEYS[1] hub:pres:{topic}  KEYS[2] hub:pres:{topic}:exp   ARGV[1] expires at (ms)  ARGV[2] key ttl (ms)  ARGV[3..] refs
-- Extends the refs this node still holds (XX: never resurrects one another node already removed).
for i = 3, #ARGV do
  redis.call('ZADD', KEYS[2], 'XX', ARGV[1], ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
