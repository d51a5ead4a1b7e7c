-- The compare-and-set of one field (FieldStore.commit), with its consequences in the same atomic step.
-- KEYS[1] hub:form:{form:<id>}  KEYS[2] hub:form:{form:<id>}:ops:<key>  KEYS[3] hub:form:{form:<id>}:replies
-- ARGV[1] field key  ARGV[2] expected version  ARGV[3] new state json  ARGV[4] new version
-- ARGV[5] text op json ('' for a whole-value change)  ARGV[6] ops kept
-- ARGV[7] reply field ('' when the change has no op id)  ARGV[8] reply json  ARGV[9] replies ttl ms
-- ARGV[10] publish command (PUBLISH or SPUBLISH)  ARGV[11] channel  ARGV[12] field:changed bus message
-- KEYS[4] hub:form:{form:<id>}:pending (changes PostgreSQL does not have yet)  ARGV[13] the change as json
-- KEYS[5] hub:history:{form:<id>}  KEYS[6] hub:history:{form:<id>}:meta (the form channel's history)
-- ARGV[14] epoch for a new history  ARGV[15] keep events  ARGV[16] keep ms  ARGV[17] idle ttl ms
-- (the history-append library is prepended by LuaScript.load)
-- Returns {1} committed, {0, current state} stale, {2, first reply} duplicate op id, {3} no such field.
if ARGV[7] ~= '' then
  local first = redis.call('HGET', KEYS[3], ARGV[7])
  if first then
    -- A write, so a WAIT after this script (a Redis Cluster with replicas) covers the first outcome's writes too:
    -- a retry of a change whose first answer was "not replicated in time" is answered only once it is replicated.
    redis.call('PEXPIRE', KEYS[3], ARGV[9])
    return {2, first}
  end
end
local version = redis.call('HGET', KEYS[1], 'v:' .. ARGV[1])
if not version then return {3} end
if tonumber(version) ~= tonumber(ARGV[2]) then
  return {0, redis.call('HGET', KEYS[1], 'f:' .. ARGV[1])}
end
redis.call('HSET', KEYS[1], 'f:' .. ARGV[1], ARGV[3], 'v:' .. ARGV[1], ARGV[4])
if ARGV[5] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[4] .. '|' .. ARGV[5])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[6]), -1)
else
  redis.call('DEL', KEYS[2]) -- a whole-value change breaks the op chain
end
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[7], ARGV[8])
  redis.call('PEXPIRE', KEYS[3], ARGV[9])
end
-- Durable in Redis until some node has written it to PostgreSQL.
redis.call('RPUSH', KEYS[4], ARGV[13])
-- Numbered and published inside the script: every node sees one form's changes in version and offset order.
history_append(KEYS[5], KEYS[6], ARGV[14], ARGV[15], ARGV[16], ARGV[17], ARGV[10], ARGV[11], ARGV[12])
return {1}
