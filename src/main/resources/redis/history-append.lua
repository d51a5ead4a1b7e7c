-- Library (prepended by LuaScript.load to the scripts that publish durable events): appends one event to a channel's
-- history and publishes it, in the same atomic step, so offsets follow publication order on every node.
-- stream  hub:history:{<topic>}       entries with id <offset>-0 and fields t (ms) and m (the stamped bus message)
-- meta    hub:history:{<topic>}:meta  hash: e = epoch, o = newest offset
-- message the bus message as JSON without position; the stamped copy gets "o" (offset) and "ep" (epoch) in front.
-- An entry is trimmed once it is neither among the last keep_events nor younger than keep_ms; both keys expire after
-- idle_ttl_ms without a publication, and a history that lost its meta starts over under a new epoch.
-- Returns {offset, epoch}.
local function history_append(stream, meta, new_epoch, keep_events, keep_ms, idle_ttl_ms, publish, channel, message)
  local epoch = redis.call('HGET', meta, 'e')
  if not epoch then
    epoch = new_epoch
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'e', epoch)
  end
  local offset = redis.call('HINCRBY', meta, 'o', 1)
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local stamped = '{"o":' .. offset .. ',"ep":"' .. epoch .. '",' .. string.sub(message, 2)
  redis.call('XADD', stream, offset .. '-0', 't', now, 'm', stamped)
  local cutoff = offset - tonumber(keep_events)
  if cutoff > 0 then
    local oldest = now - tonumber(keep_ms)
    local last_dropped = nil
    for _, entry in ipairs(redis.call('XRANGE', stream, '-', cutoff, 'COUNT', 100)) do
      if tonumber(entry[2][2]) >= oldest then break end
      last_dropped = tonumber(string.match(entry[1], '^(%d+)'))
    end
    if last_dropped then redis.call('XTRIM', stream, 'MINID', last_dropped + 1) end
  end
  redis.call('PEXPIRE', stream, idle_ttl_ms)
  redis.call('PEXPIRE', meta, idle_ttl_ms)
  redis.call(publish, channel, stamped)
  return {offset, epoch}
end
