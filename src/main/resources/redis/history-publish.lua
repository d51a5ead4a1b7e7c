-- History.publish in cluster mode (the history-append library is prepended).
-- KEYS[1] hub:history:{<topic>}  KEYS[2] hub:history:{<topic>}:meta
-- ARGV[1] epoch for a new history  ARGV[2] keep events  ARGV[3] keep ms  ARGV[4] idle ttl ms
-- ARGV[5] PUBLISH or SPUBLISH  ARGV[6] channel  ARGV[7] bus message json
-- Returns {offset, epoch}.
return history_append(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
