import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/**
 * The warm path's baseline: the least a middy HTTP handler does (parse the JSON body, answer
 * JSON), run behind the same API emulation as createPurchase, so the difference is our work.
 */
export const minimalHandler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().handler(async (event) => {
  const body = JSON.parse(event.body ?? '{}') as { purchaseToken?: string };
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invoiceReferenceId: body.purchaseToken ?? '' }),
  };
});
