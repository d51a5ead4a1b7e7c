-- KEYS[1] hub:locks:{form:<id>} (hash: "h:<field>" hard lease, "s:<field>:<conn>" soft lease, "seq:<field>" counter)
-- ARGV[1] field  ARGV[2] lease json (token/expiresAt filled here)  ARGV[3] user id  ARGV[4] soft (1/0)
-- ARGV[5] connection id  ARGV[6] now (ms)  ARGV[7] lease ms
-- Returns {1, lease, replaced|false} when granted, {0, current} when another user holds a live hard lease.
local field, soft, now = ARGV[1], ARGV[4] == '1', tonumber(ARGV[6])
local slot = soft and ('s:' .. field .. ':' .. ARGV[5]) or ('h:' .. field)
local replaced = redis.call('HGET', KEYS[1], slot)
if not soft and replaced then
  local cur = cjson.decode(replaced)
  if cur['expiresAt'] > now and cur['userId'] ~= ARGV[3] then return {0, replaced} end
end
local lease = cjson.decode(ARGV[2])
lease['token'] = redis.call('HINCRBY', KEYS[1], 'seq:' .. field, 1)
lease['expiresAt'] = now + tonumber(ARGV[7])
local encoded = cjson.encode(lease)
redis.call('HSET', KEYS[1], slot, encoded)
return {1, encoded, replaced or false}
