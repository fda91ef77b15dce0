import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { toHttpProblem } from '../../lambda/handlers/http-errors.js';
import { jsonBody } from '../../lambda/handlers/json-body.js';

/** The body middlewares as createPurchase runs them, in a real middy chain; errors as the caller sees them. */
const parse = async (contentType: string | undefined, body: string | null, isBase64Encoded = false) => {
  const event = {
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    body,
    isBase64Encoded,
  } as unknown as APIGatewayProxyEvent;
  const handler = middy<APIGatewayProxyEvent, unknown>()
    .use(jsonBody())
    .handler(async (parsed) => parsed.body);
  return handler(event, {} as never);
};
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => {
      const { statusCode, code } = toHttpProblem(error);
      return [statusCode, code];
    },
  );

describe('the JSON body: @middy/http-json-body-parser behind a UTF-8 check', () => {
  it.each([
    'application/json',
    'Application/JSON',
    'application/json;charset=UTF-8',
    'APPLICATION/JSON; Charset="utf-8"',
    'application/vnd.glase+json',
  ])('takes %s', async (type) => {
    expect(await parse(type, '{"a":1}')).toEqual({ a: 1 });
  });

  it.each([
    undefined,
    'text/plain',
    'application/jsonx',
    'application/x-www-form-urlencoded',
    'application/json; charset=ISO-8859-1',
  ])('refuses %s with 415', async (type) => {
    expect(await refusal(parse(type, '{}'))).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('refuses bytes that were not UTF-8, whether API Gateway replaced them or base64-encoded them', async () => {
    expect(await refusal(parse('application/json', '{"clientName":"J\uFFFDrgen"}'))).toEqual([
      400,
      'INVALID_ENCODING',
    ]);
    const latin1 = Buffer.from('{"clientName":"J\xf6rgen"}', 'latin1').toString('base64');
    expect(await refusal(parse('application/json', latin1, true))).toEqual([400, 'INVALID_ENCODING']);
    const utf8 = Buffer.from('{"clientName":"Jörgen"}', 'utf8').toString('base64');
    expect(await parse('application/json', utf8, true)).toEqual({ clientName: 'Jörgen' });
  });

  it('maps what the parser refuses (not JSON, no body, a __proto__ key) to 400 INVALID_JSON', async () => {
    expect(await refusal(parse('application/json', '{"a":'))).toEqual([400, 'INVALID_JSON']);
    expect(await refusal(parse('application/json', ''))).toEqual([400, 'INVALID_JSON']);
    expect(await refusal(parse('application/json', null))).toEqual([400, 'INVALID_JSON']);
    expect(await refusal(parse('application/json', '{"__proto__":{"admin":true}}'))).toEqual([
      400,
      'INVALID_JSON',
    ]);
  });

  it('parses with the design card package, not by hand', () => {
    // The chain's last step is @middy/http-json-body-parser's own `before`.
    const [, parser] = jsonBody();
    expect(parser?.before?.name).toBe('httpJsonBodyParserMiddlewareBefore');
  });
});
