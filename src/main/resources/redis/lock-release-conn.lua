-- KEYS[1] hub:locks:{form:<id>}   ARGV[1] connection id
-- Releases every lease of that connection on the form; returns them.
local released = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 4) ~= 'seq:' then
    local lease = cjson.decode(all[i + 1])
    if lease['connectionId'] == ARGV[1] then
      redis.call('HDEL', KEYS[1], all[i])
      table.insert(released, all[i + 1])
    end
  end
end
return released
