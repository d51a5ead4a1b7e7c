-- Puts back a lease this node granted, after Redis came back without it (restarted without persistence).
-- KEYS[1] hub:locks:{form:<id>}  ARGV[1] slot ("h:<field>" or "s:<field>:<conn>")  ARGV[2] field
-- ARGV[3] lease json  ARGV[4] its token
-- Returns 1 when the lease holds (restored, or still there), 0 when the field was granted again since (ours is over).
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  return cjson.decode(cur)['token'] == tonumber(ARGV[4]) and 1 or 0
end
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq:' .. ARGV[2]) or '0')
if seq > tonumber(ARGV[4]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], 'seq:' .. ARGV[2], ARGV[4])
return 1
