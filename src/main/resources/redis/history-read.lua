-- History.top and History.since in cluster mode.
-- KEYS[1] hub:history:{<topic>}  KEYS[2] hub:history:{<topic>}:meta
-- ARGV[1] epoch for a new history  ARGV[2] idle ttl ms  ARGV[3] since offset ('' to read the top only)
-- ARGV[4] since epoch
-- Returns {top, epoch, recovered (1|0), stamped bus messages after since...}.
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  -- The epoch a joining client is told must be the one the next publication uses.
  epoch = ARGV[1]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch, 'o', 0)
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
local top = tonumber(redis.call('HGET', KEYS[2], 'o') or '0')
if ARGV[3] == '' then return {top, epoch, 0} end
local since = tonumber(ARGV[3])
if ARGV[4] ~= epoch or since < 0 or since > top then return {top, epoch, 0} end
if since == top then return {top, epoch, 1} end
local entries = redis.call('XRANGE', KEYS[1], since + 1, '+')
-- Recovered only when nothing after since was trimmed: the first entry kept must be the very next offset.
if #entries ~= top - since or tonumber(string.match(entries[1][1], '^(%d+)')) ~= since + 1 then
  return {top, epoch, 0}
end
local out = {top, epoch, 1}
for _, entry in ipairs(entries) do out[#out + 1] = entry[2][4] end
return out
