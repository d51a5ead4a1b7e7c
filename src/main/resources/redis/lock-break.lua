-- KEYS[1] hub:locks:{form:<id>}   ARGV[1] field   Removes the hard lease of the field; returns it or false.
local lease = redis.call('HGET', KEYS[1], 'h:' .. ARGV[1])
if not lease then return false end
redis.call('HDEL', KEYS[1], 'h:' .. ARGV[1])
return lease
