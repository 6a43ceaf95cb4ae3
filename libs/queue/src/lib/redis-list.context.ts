import { BaseRpcContext } from '@nestjs/microservices';
import type { QueueMessage } from './queue-message';

type RedisListContextArgs = [queue: string, consumerId: string, message: QueueMessage];

/** The second argument of a handler: `handle(@Payload() data, @Ctx() ctx: RedisListContext)`. */
export class RedisListContext extends BaseRpcContext<RedisListContextArgs> {
  constructor(args: RedisListContextArgs) {
    super(args);
  }

  /** The list the message was taken from. */
  getQueue(): string {
    return this.args[0];
  }

  getConsumerId(): string {
    return this.args[1];
  }

  /** 1 on the first delivery; counts deliveries lost to crashes as well as failed ones. */
  getAttempt(): number {
    return this.args[2].attempt;
  }

  getMessageId(): string {
    return this.args[2].id;
  }

  getMessage(): QueueMessage {
    return this.args[2];
  }
}
