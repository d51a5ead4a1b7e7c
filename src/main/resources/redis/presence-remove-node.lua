-- KEYS[1] hub:pres:{topic}  KEYS[2] hub:pres:{topic}:exp   ARGV[1] node id
-- Removes every entry of a dead node on this topic and returns them (the caller publishes the leaves).
local removed = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local entry = cjson.decode(all[i + 1])
  if entry['node'] == ARGV[1] then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('ZREM', KEYS[2], all[i])
    table.insert(removed, all[i + 1])
  end
end
return removed
