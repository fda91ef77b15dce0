import { createHash, randomUUID } from 'node:crypto';
import { BatchGetCommand, type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { notifyPath } from '../contract/routes.js';
import { KEY_PREFIX, ORDERS_BY_LOOKUP } from '../contract/tables.js';

export interface FloorTarget {
  readonly document: DynamoDBDocumentClient;
  readonly tables: { readonly products: string; readonly orders: string; readonly idempotency: string };
  readonly glaseUrl: string;
  readonly terminalId: string;
  readonly password: string;
}

/**
 * The CPU floor: the same DynamoDB and SOAP calls a createPurchase makes — one BatchGetItem,
 * one TransactWriteItems that claims the request, puts the order, reserves the unit and counts
 * the shopper's hold, a sendInvoice, one TransactWriteItems that records the invoice and
 * completes the request, each with the lookup item that finds the order — written straight against the SDK and a string template, with none of
 * our code: no validation, no planner, no XML writer or reader, no middleware, no logs or metrics.
 */
export function floorPurchase(target: FloorTarget) {
  const { document, tables } = target;
  // What finds the order later (its e-mail, then its invoice): one small item each, as ours writes.
  const lookup = (orderId: string, key: string, at: string) => ({
    Put: {
      TableName: tables.orders,
      Item: {
        orderId: `${KEY_PREFIX.lookup}${key}#${orderId}`,
        [ORDERS_BY_LOOKUP.partition]: key,
        [ORDERS_BY_LOOKUP.sort]: at,
        [ORDERS_BY_LOOKUP.refersTo]: orderId,
      },
    },
  });
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const body = JSON.parse(event.body ?? '{}') as Record<string, string>;
    const token = body.purchaseToken as string;
    const requestKey = `${KEY_PREFIX.request}${createHash('sha256')
      .update(event.body ?? '')
      .digest('hex')}`;
    const read = await document.send(
      new BatchGetCommand({
        RequestItems: {
          [tables.products]: { Keys: [{ purchaseToken: token }] },
          [tables.idempotency]: { Keys: [{ id: requestKey }] },
        },
      }),
    );
    const product = read.Responses?.[tables.products]?.[0] as Record<string, unknown>;
    const orderId = randomUUID();
    const now = Date.now();
    const customer = {
      clientName: body.clientName,
      email: body.email,
      msisdn: body.msisdn ?? '',
      street: body.street,
      zip: body.zip,
      city: body.city,
      state: body.state ?? '',
      country: body.country,
    };
    await document.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tables.idempotency,
              Item: {
                id: requestKey,
                state: 'IN_PROGRESS',
                orderId,
                lockedUntil: now + 15_000,
                expiration: 0,
              },
              ConditionExpression: 'attribute_not_exists(id)',
            },
          },
          {
            Put: {
              TableName: tables.orders,
              Item: {
                orderId,
                status: 'RESERVED',
                version: 1,
                createdAt: new Date(now).toISOString(),
                purchaseToken: token,
                product: {
                  sku: product.sku,
                  description: product.description,
                  unitPriceMinor: product.unitPriceMinor,
                  taxRatePercent: product.taxRatePercent,
                },
                quantity: 1,
                totalMinor: product.unitPriceMinor,
                currency: product.currency,
                customer,
              },
              ConditionExpression: 'attribute_not_exists(orderId)',
            },
          },
          {
            Update: {
              TableName: tables.products,
              Key: { purchaseToken: token },
              UpdateExpression: 'SET reserved = reserved + :one, available = available - :one',
              ConditionExpression: 'available >= :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          {
            Update: {
              TableName: tables.idempotency,
              Key: { id: `${KEY_PREFIX.shopperCounter}${token}|${body.email}` },
              UpdateExpression: 'SET openOrders = if_not_exists(openOrders, :zero) + :one',
              ConditionExpression: 'attribute_not_exists(openOrders) OR openOrders < :cap',
              ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':cap': 1 },
            },
          },
          lookup(orderId, `email:${body.email?.toLowerCase()}`, new Date(now).toISOString()),
        ],
      }),
    );
    const price = ((product.unitPriceMinor as number) / 100).toFixed(2);
    const amount = `<currency>${product.currency}</currency><value>${price}</value>`;
    const soap =
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ext="http://external.interfaces.ers.seamless.com/"><soapenv:Header/><soapenv:Body><ext:sendInvoice>' +
      `<context><channel>WS</channel><clientId>bench</clientId><clientReference>${orderId.slice(0, 32)}</clientReference><clientRequestTimeout>0</clientRequestTimeout><initiatorPrincipalId><id>${target.terminalId}</id><type>TERMINALID</type></initiatorPrincipalId><password>${target.password}</password></context>` +
      `<invoice><paymentMode>IMMEDIATE_DEBIT</paymentMode><acknowledgmentMode>NO_ACKNOWLEDGMENT</acknowledgmentMode><issueDate>${new Date(now).toISOString()}</issueDate><title>Webshop</title><clientInvoiceId>${orderId}</clientInvoiceId>` +
      `<invoiceRows><invoiceRow><itemDescription>${product.description}</itemDescription><itemQuantity>1</itemQuantity><itemSKU>${product.sku}</itemSKU><itemTaxRate>${product.taxRatePercent}</itemTaxRate><itemTotalAmount>${amount}</itemTotalAmount><itemUnitPrice>${amount}</itemUnitPrice></invoiceRow></invoiceRows>` +
      `<totalAmount>${amount}</totalAmount><cashierId>webshop</cashierId><footer>Thanks</footer><notificationUrl>http://127.0.0.1${notifyPath(orderId)}</notificationUrl></invoice></ext:sendInvoice></soapenv:Body></soapenv:Envelope>`;
    const response = await fetch(target.glaseUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: soap,
    });
    const answer = await response.text();
    const invoiceReference = /<invoiceReference>(\d+)<\/invoiceReference>/.exec(answer)?.[1];
    if (!invoiceReference) throw new Error(`floor: sendInvoice failed: ${answer.slice(0, 300)}`);
    await document.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tables.orders,
              Key: { orderId },
              UpdateExpression: 'SET #status = :invoiced, invoiceReference = :reference, version = :two',
              ConditionExpression: '#status = :reserved AND version = :one',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':invoiced': 'INVOICED',
                ':reserved': 'RESERVED',
                ':reference': invoiceReference,
                ':one': 1,
                ':two': 2,
              },
            },
          },
          {
            Update: {
              TableName: tables.idempotency,
              Key: { id: requestKey },
              UpdateExpression: 'SET #state = :completed, invoiceReference = :reference',
              ConditionExpression: 'orderId = :orderId',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: {
                ':completed': 'COMPLETED',
                ':reference': invoiceReference,
                ':orderId': orderId,
              },
            },
          },
          lookup(orderId, `invoice:${invoiceReference}`, new Date(now).toISOString()),
        ],
      }),
    );
    return { statusCode: 200, body: JSON.stringify({ invoiceReferenceId: invoiceReference }) };
  };
}
