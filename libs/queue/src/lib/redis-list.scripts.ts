/**
 * Lua scripts: each runs atomically in Redis, so no other consumer or reaper can observe a
 * message half-moved. Lists are pushed on the LEFT and taken from the RIGHT ("the head").
 */
export interface ScriptDefinition {
  numberOfKeys: number;
  lua: string;
}

/** KEYS: queue, processing, attempts. ARGV: max. Returns [raw, attempt, raw, attempt, ...]. */
export const TAKE_BATCH: ScriptDefinition = {
  numberOfKeys: 3,
  lua: `
local out = {}
for i = 1, tonumber(ARGV[1]) do
  local v = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not v then break end
  out[#out + 1] = v
  out[#out + 1] = redis.call('HINCRBY', KEYS[3], v, 1)
end
return out`,
};

/** KEYS: processing, attempts. ARGV: elements. The counter is dropped only for elements still ours. */
export const ACK: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `
local n = 0
for i = 1, #ARGV do
  if redis.call('LREM', KEYS[1], -1, ARGV[i]) > 0 then
    redis.call('HDEL', KEYS[2], ARGV[i])
    n = n + 1
  end
end
return n`,
};

/** KEYS: processing, queue. ARGV: element. Back of the queue, so a failing message does not block others. */
export const REQUEUE: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `
if redis.call('LREM', KEYS[1], -1, ARGV[1]) > 0 then
  redis.call('LPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0`,
};

/** KEYS: processing, dead, attempts. ARGV: element. */
export const DEAD_LETTER: ScriptDefinition = {
  numberOfKeys: 3,
  lua: `
if redis.call('LREM', KEYS[1], -1, ARGV[1]) > 0 then
  redis.call('LPUSH', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
  return 1
end
return 0`,
};

/** KEYS: heartbeat, consumers. ARGV: now, ttlMs, consumerId. Returns 1 when the lease was still held. */
export const HEARTBEAT: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `
local had = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return had`,
};

/**
 * KEYS: heartbeat, processing, queue, consumers. ARGV: consumerId.
 * Only when the lease is gone: moves the whole processing list to the head of the queue, oldest
 * taken first, and forgets the consumer. The attempt counter is kept, so the next take counts
 * the crashed delivery and a message that kills every consumer ends dead-lettered.
 */
export const REAP: ScriptDefinition = {
  numberOfKeys: 4,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local n = 0
while redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') do n = n + 1 end
redis.call('SREM', KEYS[4], ARGV[1])
return n`,
};

/**
 * KEYS: processing, queue. At start-up, whatever this consumer id still holds was left by an
 * earlier process with the same id that died (e.g. a restarted container): back to the head.
 */
export const RECOVER: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `
local n = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do n = n + 1 end
return n`,
};

/** KEYS: processing, queue, attempts. Shutdown hand-back: the interrupted delivery does not count. */
export const HAND_BACK: ScriptDefinition = {
  numberOfKeys: 3,
  lua: `
local n = 0
while true do
  local v = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not v then break end
  if redis.call('HINCRBY', KEYS[3], v, -1) <= 0 then redis.call('HDEL', KEYS[3], v) end
  n = n + 1
end
return n`,
};

/**
 * KEYS: queue. ARGV: prefix, chunk size. 1-based position counted from the head (the element
 * taken next), or -1. Scans in chunks so a long queue is never copied in one reply.
 */
export const POSITION_OF: ScriptDefinition = {
  numberOfKeys: 1,
  lua: `
local prefix = ARGV[1]
local plen = #prefix
local chunk = tonumber(ARGV[2])
local len = redis.call('LLEN', KEYS[1])
local from = 1
while from <= len do
  local to = math.min(from + chunk - 1, len)
  local items = redis.call('LRANGE', KEYS[1], -to, -from)
  for i = #items, 1, -1 do
    if string.sub(items[i], 1, plen) == prefix then
      return from + (#items - i)
    end
  end
  from = to + 1
end
return -1`,
};

/**
 * KEYS: heartbeat, processing, consumers. ARGV: consumerId. A closing consumer drops its lease at
 * once; it stays registered while anything is left in its processing list, so the reaper returns it.
 */
export const LEAVE: ScriptDefinition = {
  numberOfKeys: 3,
  lua: `
redis.call('DEL', KEYS[1])
if redis.call('LLEN', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[1]) end
return 1`,
};

export const SCRIPTS = {
  takeBatch: TAKE_BATCH,
  ackBatch: ACK,
  requeueOne: REQUEUE,
  deadLetterOne: DEAD_LETTER,
  heartbeatLease: HEARTBEAT,
  reapConsumer: REAP,
  handBackAll: HAND_BACK,
  positionOf: POSITION_OF,
  leave: LEAVE,
  recoverOwn: RECOVER,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
