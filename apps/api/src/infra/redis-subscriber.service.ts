import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { createRedis, type RedisClient } from '@koodi/queue';

type Listener = (message: string) => void;

/** The one pub/sub connection of this replica; services register per channel. */
@Injectable()
export class RedisSubscriber implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisSubscriber.name);
  private readonly listeners = new Map<string, Listener[]>();
  private readonly connection: RedisClient;
  /** Called after a reconnect: messages published meanwhile were missed. */
  private readonly resyncListeners: Array<() => void> = [];

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.connection = createRedis(
      config.redisUrl,
      { maxRetriesPerRequest: null },
      'api-subscriber',
    );
    this.connection.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) {
        try {
          listener(message);
        } catch (error) {
          this.logger.error(`listener of ${channel} failed: ${String(error)}`);
        }
      }
    });
    let connectedBefore = false;
    this.connection.on('ready', () => {
      if (connectedBefore) for (const resync of this.resyncListeners) resync();
      connectedBefore = true;
    });
    let lastLogged = 0;
    this.connection.on('error', (error: Error) => {
      if (Date.now() - lastLogged < 5_000) return;
      lastLogged = Date.now();
      this.logger.warn(`subscriber: ${error.message}`);
    });
  }

  async subscribe(channel: string, listener: Listener): Promise<void> {
    const existing = this.listeners.get(channel);
    if (existing) {
      existing.push(listener);
      return;
    }
    this.listeners.set(channel, [listener]);
    if (this.connection.status === 'wait') await this.connection.connect();
    await this.connection.subscribe(channel);
  }

  onResync(listener: () => void): void {
    this.resyncListeners.push(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
