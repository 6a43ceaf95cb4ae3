import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CREATES_IDENTITY, identityOf } from './identity.guard';

/** The handler needs a user that exists: the guard creates one (and its cookie) if need be. */
export const CreatesIdentity = () => SetMetadata(CREATES_IDENTITY, true);

/** The caller's user id, or null without a valid cookie (a string under `@CreatesIdentity()`). */
export const UserId = createParamDecorator(
  (_: unknown, context: ExecutionContext) =>
    identityOf(context.switchToHttp().getRequest<FastifyRequest>()).userId,
);

/** The caller's Identity, for a service that decides itself when a user must be created. */
export const CurrentIdentity = createParamDecorator((_: unknown, context: ExecutionContext) =>
  identityOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
