import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpRefusal } from './http-errors.js';

/** `application/json` or any `application/*+json`, however it is capitalised. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/;

/**
 * Parses a JSON request body, or refuses it with the reason: a media type that is not JSON
 * (matched case-insensitively, as RFC 9110 says), a charset other than UTF-8, bytes that are not
 * UTF-8 (API Gateway hands those on as U+FFFD: a body can never be "repaired" silently), or text
 * that is not JSON.
 */
export function jsonBody(): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    before: async ({ event }) => {
      const [type = '', ...parameters] = (event.headers?.['content-type'] ?? '').split(';');
      if (!JSON_MEDIA_TYPE.test(type.trim().toLowerCase())) {
        throw new HttpRefusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
      }
      const charset = parameters
        .map((parameter) => parameter.trim().toLowerCase())
        .find((parameter) => parameter.startsWith('charset='))
        ?.slice('charset='.length)
        .replace(/"/g, '');
      if (charset && charset !== 'utf-8' && charset !== 'utf8') {
        throw new HttpRefusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json in UTF-8');
      }
      let text = event.body ?? '';
      if (event.isBase64Encoded) {
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
        } catch {
          throw new HttpRefusal(400, 'INVALID_ENCODING', 'request body is not valid UTF-8');
        }
      } else if (text.includes('\uFFFD')) {
        throw new HttpRefusal(400, 'INVALID_ENCODING', 'request body is not valid UTF-8');
      }
      try {
        (event as { body: unknown }).body = JSON.parse(text);
      } catch {
        throw new HttpRefusal(400, 'INVALID_JSON', 'request body is not valid JSON');
      }
    },
  };
}
