"""The Lua scripts of the Redis board cache. Each runs atomically on the server, next to the
keys of one board period (one cluster slot, thanks to the key's hash tag).

WRITE: KEYS = members sorted set, versions hash, distinct-score set, distinct-score counts;
ARGV = time to live in milliseconds (0: never expires), "1" to keep the distinct-score index, then
(member, version, packed) triples, an empty packed value removing the member.
"""

from __future__ import annotations

# A write older than the version Redis holds is ignored, so nothing rolls back. The same version
# is applied again (a version names one committed state, so it is idempotent): that lets a
# rebuild repair a member the set lost while its version survived. Returns how many members'
# values actually changed.
WRITE = """
local dense = ARGV[2] == '1'
local changed = 0
for i = 3, #ARGV, 3 do
  local member, version, packed = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local seen = tonumber(redis.call('HGET', KEYS[2], member) or '-1')
  if version >= seen then
    if version > seen then redis.call('HSET', KEYS[2], member, ARGV[i + 1]) end
    local old = redis.call('ZSCORE', KEYS[1], member)
    if packed == '' then redis.call('ZREM', KEYS[1], member)
    else redis.call('ZADD', KEYS[1], packed, member) end
    local now = packed ~= '' and tonumber(packed) or false
    local before = old and tonumber(old) or false
    if now ~= before then
      changed = changed + 1
      if dense then
        local b = before and string.format('%.0f', math.floor(before / 16777216)) or false
        local a = now and string.format('%.0f', math.floor(now / 16777216)) or false
        if b ~= a then
          if b and redis.call('HINCRBY', KEYS[4], b, -1) <= 0 then
            redis.call('HDEL', KEYS[4], b)
            redis.call('ZREM', KEYS[3], b)
          end
          if a and redis.call('HINCRBY', KEYS[4], a, 1) == 1 then
            redis.call('ZADD', KEYS[3], a, a)
          end
        end
      end
    end
  end
end
-- A relative TTL: the caller computed it from its own (injected) clock, so Redis's wall clock
-- never decides by itself when a board period ends.
if ARGV[1] ~= '0' then
  for k = 1, #KEYS do redis.call('PEXPIRE', KEYS[k], ARGV[1]) end
end
return changed
"""

# Marks the cache complete only if the rebuild's lock is still ours: a flush during the rebuild
# removes the lock, and the half-filled cache is then not trusted.
MARK_READY = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""
