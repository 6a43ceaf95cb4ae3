import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  ASSIGNMENT_CACHE_KEY,
  ASSIGNMENT_CACHE_SCOPE,
  CACHE_PURGE_CHANNEL,
} from '@koodi/contracts';
import { type Cache, createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { REDIS } from '../infra/infra.providers';
import { RedisSubscriber } from '../infra/redis-subscriber.service';
import { RedisHashStore } from './redis-hash.store';
import type { RedisClient } from '@koodi/queue';

/** A cached answer: its JSON text, the same encoded once for sending, a strong ETag, the value. */
export interface CachedAnswer<T> {
  json: string;
  body: Buffer;
  etag: string;
  data: T;
}

/** Far more than a course has assignments; caps what unknown slugs can fill. */
const MAX_LOCAL_ENTRIES = 1_000;

interface LocalEntry {
  answer: CachedAnswer<unknown> | null;
  expiresAt: number;
}

/**
 * Two layers: a short-lived in-process map (no I/O on a hit) in front of Redis through
 * cache-manager. A purge (see purgeAssignmentCache in @koodi/contracts) deletes the Redis hash
 * and announces it, and every replica clears its map.
 */
@Injectable()
export class AssignmentCache implements OnModuleInit {
  private readonly logger = new Logger(AssignmentCache.name);
  private readonly local = new Map<string, LocalEntry>();
  private readonly loading = new Map<string, Promise<CachedAnswer<unknown> | null>>();
  private readonly remote: Cache;
  private generation = 0;
  /** Databases may share one Redis (tests, stacks): each field is named after its database. */
  private readonly keyPrefix: string;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) redis: RedisClient,
    private readonly subscriber: RedisSubscriber,
  ) {
    const database = new URL(config.databaseUrl);
    this.keyPrefix = `${database.host}${database.pathname}:`;
    const store = new RedisHashStore(redis, ASSIGNMENT_CACHE_KEY);
    const keyv = new Keyv({ store, useKeyPrefix: false, emitErrors: false });
    this.remote = createCache({ stores: [keyv], ttl: config.assignmentCacheSeconds * 1000 });
  }

  async onModuleInit(): Promise<void> {
    await this.subscriber.subscribe(CACHE_PURGE_CHANNEL, (scope) => {
      if (scope === ASSIGNMENT_CACHE_SCOPE) this.clearLocal();
    });
    // Purges announced while the subscription was down were missed.
    this.subscriber.onResync(() => this.clearLocal());
  }

  clearLocal(): void {
    this.generation++;
    this.local.clear();
    this.loading.clear();
  }

  /** The cached answer for `key`, loading it with `load` on a miss; null = not found. */
  get<T>(
    key: string,
    load: () => Promise<T | null>,
  ): Promise<CachedAnswer<T> | null> | CachedAnswer<T> | null {
    const entry = this.local.get(key);
    if (entry && entry.expiresAt > Date.now()) return entry.answer as CachedAnswer<T> | null;
    const pending = this.loading.get(key);
    if (pending) return pending as Promise<CachedAnswer<T> | null>;
    const generation = this.generation;
    const promise = this.fetch(key, load).finally(() => {
      if (this.loading.get(key) === promise) this.loading.delete(key);
    });
    this.loading.set(key, promise);
    void promise.then(
      (answer) => {
        if (generation !== this.generation || this.config.localCacheSeconds === 0) return;
        // Misses are kept locally only, and briefly: they cost a database read each. Keys come
        // from request paths, so the map is bounded: the oldest entry goes first.
        if (this.local.size >= MAX_LOCAL_ENTRIES)
          this.local.delete(this.local.keys().next().value!);
        this.local.set(key, {
          answer,
          expiresAt: Date.now() + this.config.localCacheSeconds * 1000,
        });
      },
      () => undefined,
    );
    return promise as Promise<CachedAnswer<T> | null>;
  }

  private async fetch<T>(
    key: string,
    load: () => Promise<T | null>,
  ): Promise<CachedAnswer<T> | null> {
    let json: string | undefined;
    const remoteKey = this.keyPrefix + key;
    try {
      json = (await this.remote.get<string>(remoteKey)) ?? undefined;
    } catch (error) {
      this.logger.warn(`cache read failed, reading the database: ${String(error)}`);
    }
    if (json !== undefined) return answerOf<T>(json, JSON.parse(json) as T);
    const data = await load();
    if (data === null) return null;
    json = JSON.stringify(data);
    try {
      await this.remote.set(remoteKey, json);
    } catch (error) {
      this.logger.warn(`cache write failed: ${String(error)}`);
    }
    return answerOf(json, data);
  }
}

function answerOf<T>(json: string, data: T): CachedAnswer<T> {
  return {
    json,
    body: Buffer.from(json),
    data,
    etag: `"${createHash('sha1').update(json).digest('base64url')}"`,
  };
}
