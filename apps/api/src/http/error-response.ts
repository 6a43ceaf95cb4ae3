import { HttpException } from '@nestjs/common';
import type { ApiError as ApiErrorBody } from '@koodi/contracts';
import { ApiError } from './api-error';

export interface ErrorResponse {
  status: number;
  body: ApiErrorBody;
  headers?: Record<string, string>;
}

const CODE_OF_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** Fastify's own errors (body parsing, limits) in words a client can act on. */
const FASTIFY_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'payload_too_large',
    message: 'The request body is too large.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'Send the body as application/json.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', message: 'The JSON body is empty.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'bad_request',
    message: 'Content-Length does not match the body.',
  },
};

/** Maps anything thrown while serving a request to the one error shape of the API. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof ApiError) {
    const body: ApiErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details !== undefined) body.error.details = error.details;
    return { status: error.status, body, headers: error.headers };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 413)
      return { status, body: { error: FASTIFY_ERRORS['FST_ERR_CTP_BODY_TOO_LARGE'] } };
    if (status === 415)
      return { status, body: { error: FASTIFY_ERRORS['FST_ERR_CTP_INVALID_MEDIA_TYPE'] } };
    const message =
      status === 404
        ? 'No such endpoint.'
        : status >= 500
          ? 'Something went wrong on our side.'
          : error.message;
    return { status, body: { error: { code: CODE_OF_STATUS[status] ?? 'error', message } } };
  }
  const fastifyError = error as { code?: string; statusCode?: number; message?: string };
  const known = fastifyError.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known && fastifyError.statusCode) {
    return { status: fastifyError.statusCode, body: { error: known } };
  }
  const status = fastifyError.statusCode;
  if (status === 413 || status === 415) {
    return {
      status,
      body: {
        error:
          status === 413
            ? FASTIFY_ERRORS['FST_ERR_CTP_BODY_TOO_LARGE']
            : FASTIFY_ERRORS['FST_ERR_CTP_INVALID_MEDIA_TYPE'],
      },
    };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      body: {
        error: {
          code: CODE_OF_STATUS[status] ?? 'bad_request',
          message: fastifyError.message ?? 'Bad request.',
        },
      },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'Something went wrong on our side.' } },
  };
}
