-- KEYS[1] hub:locks:{form:<id>}   ARGV[1] field  ARGV[2] token  ARGV[3] mode: renew|release|expire
-- ARGV[4] now (ms)  ARGV[5] lease ms (renew)
-- Finds the lease of the field holding that token and renews it (if still live), releases it, or expires it (if its
-- time is up). Returns the lease (renewed: the new one) or false. One script, so a lease is released exactly once
-- however many nodes race to expire it.
local field, token, mode, now = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local slot = all[i]
  if slot == ('h:' .. field) or string.sub(slot, 1, #field + 3) == ('s:' .. field .. ':') then
    local lease = cjson.decode(all[i + 1])
    if lease['token'] == token then
      if mode == 'renew' then
        if lease['expiresAt'] <= now then return false end
        lease['expiresAt'] = now + tonumber(ARGV[5])
        local encoded = cjson.encode(lease)
        redis.call('HSET', KEYS[1], slot, encoded)
        return encoded
      elseif mode == 'expire' then
        if lease['expiresAt'] > now then return false end
      end
      redis.call('HDEL', KEYS[1], slot)
      return all[i + 1]
    end
  end
end
return false
