import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from './local/dynamodb-local.js';
import { startLocalStack } from './local/stack.js';

const d = await startDynamoDbLocal(8125);
const s = await startLocalStack({ dynamodbEndpoint: d.endpoint, tablePrefix: 'q-' });
const body = JSON.stringify({
  purchaseToken: '29834231890234',
  clientName: 'Same',
  street: 's',
  city: 'c',
  country: 'SE',
  zip: '1',
  email: 'a@b.se',
});
const answers = await Promise.all(
  Array.from({ length: 20 }, () =>
    fetch(`${s.apiUrl}/webshop/createPurchase`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).then(async (r) => `${r.status} ${await r.text()}`),
  ),
);
console.log(answers.join('\n'));
const items = await s.runtime.dynamo.document.send(new ScanCommand({ TableName: s.tables.idempotency }));
console.log(items.Items);
await s.close();
await d.stop();
