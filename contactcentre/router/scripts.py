"""Lua scripts that make the router's writes atomic and fenced by the leader lock.

A router that lost its lock (paused, partitioned) can never append, ack or snapshot again.
"""

from __future__ import annotations

# KEYS: leader, journal, outbox, commands
# ARGV: token, journal items JSON ('' = none), outbox JSON ('' = none), group, outbox maxlen, ids...
COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local jid = ''
if ARGV[2] ~= '' then jid = redis.call('XADD', KEYS[2], '*', 'items', ARGV[2]) end
if ARGV[3] ~= '' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'effects', ARGV[3], 'journal_id', jid)
end
for i = 6, #ARGV do redis.call('XACK', KEYS[4], ARGV[4], ARGV[i]) end
return jid
"""

# KEYS: leader, snapshot, journal   ARGV: token, snapshot JSON, journal id it includes
SNAPSHOT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
if ARGV[3] ~= '0-0' then redis.call('XTRIM', KEYS[3], 'MINID', ARGV[3]) end
return 1
"""
