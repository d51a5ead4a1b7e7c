-- KEYS[1] a form's pending list   ARGV[1] n, the changes just written (the list's first n when read)
-- ARGV[2] the last of them, as read
-- Drops the n changes just written, only if they are still the list's head: had another node written and trimmed
-- them meanwhile (it took over the flush lease from a node that looked dead, or the lease lapsed under a slow write),
-- a blind LTRIM would drop changes nobody wrote. Left in place instead, they are written again — idempotently — by
-- the next flush. Returns 1 when trimmed.
local n = tonumber(ARGV[1])
if redis.call('LINDEX', KEYS[1], n - 1) == ARGV[2] then
  redis.call('LTRIM', KEYS[1], n, -1)
  return 1
end
return 0
