-- KEYS[1] hub:form:{form:<id>}   ARGV[1] info json  ARGV[2] field order json  ARGV[3..] key, state json, version, …
-- Writes a form loaded from PostgreSQL unless another node already did (its state may be newer: keep it).
if redis.call('HEXISTS', KEYS[1], 'info') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'info', ARGV[1], 'order', ARGV[2])
for i = 3, #ARGV, 3 do
  redis.call('HSET', KEYS[1], 'f:' .. ARGV[i], ARGV[i + 1], 'v:' .. ARGV[i], ARGV[i + 2])
end
return 1
