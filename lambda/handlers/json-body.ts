import { isUtf8 } from 'node:buffer';
import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { RequestRefusal } from './http-errors.js';

/** `application/json` or any `application/*+json`, however it is capitalised. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/;

/**
 * A JSON request body, parsed by @middy/http-json-body-parser (its `__proto__` guard included)
 * behind the checks it does not make: a charset other than UTF-8, and bytes that are not UTF-8
 * (API Gateway hands those on as U+FFFD, or base64-encoded: a body is never "repaired" silently).
 * What the parser refuses is mapped to our codes in http-errors.ts.
 */
export function jsonBody(): MiddlewareObj<APIGatewayProxyEvent>[] {
  return [utf8Json(), httpJsonBodyParser() as MiddlewareObj<APIGatewayProxyEvent>];
}

function utf8Json(): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    before: async ({ event }) => {
      const [type = '', ...parameters] = (event.headers?.['content-type'] ?? '').split(';');
      // RFC 9110: media types are case-insensitive; the parser's own check agrees, this one names it.
      if (!JSON_MEDIA_TYPE.test(type.trim().toLowerCase())) {
        throw new RequestRefusal('UNSUPPORTED_MEDIA_TYPE', 'send application/json');
      }
      const charset = parameters
        .map((parameter) => parameter.trim().toLowerCase())
        .find((parameter) => parameter.startsWith('charset='))
        ?.slice('charset='.length)
        .replace(/"/g, '');
      if (charset && charset !== 'utf-8' && charset !== 'utf8') {
        throw new RequestRefusal('UNSUPPORTED_MEDIA_TYPE', 'send application/json in UTF-8');
      }
      const body = event.body ?? '';
      const valid = event.isBase64Encoded ? isUtf8(Buffer.from(body, 'base64')) : !body.includes('\uFFFD');
      if (!valid) throw new RequestRefusal('INVALID_ENCODING', 'request body is not valid UTF-8');
      // The parser refuses a missing body as it refuses bad JSON; an empty one is the same to us.
      if (event.body === null || event.body === undefined) (event as { body: string }).body = '';
    },
  };
}
