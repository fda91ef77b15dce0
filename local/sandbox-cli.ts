/**
 * Plays the shopper against the running sandbox (`npm start`):
 *   npm run sandbox:pay -- <invoiceReferenceId>      pay, which notifies the shop
 *   npm run sandbox:cancel -- <invoiceReferenceId>   decline in the app
 *   npm run sandbox -- show <invoiceReferenceId>     the invoice as Glase sees it
 */
const [action = 'show', reference = ''] = process.argv.slice(2);
const base = `http://127.0.0.1:${process.env.GLASE_SANDBOX_PORT ?? 8081}/sandbox/invoices`;

if (!['pay', 'cancel', 'show'].includes(action) || !/^\d+$/.test(reference)) {
  process.stderr.write(
    'usage: npm run sandbox:pay -- <invoiceReferenceId>   (or sandbox:cancel, sandbox -- show)\n',
  );
  process.exit(2);
}

try {
  const response =
    action === 'show'
      ? await fetch(`${base}/${reference}`)
      : await fetch(`${base}/${reference}/${action}`, { method: 'POST' });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    process.stderr.write(`sandbox refused: ${String(body.error ?? response.status)}\n`);
    process.exit(1);
  }
  const { invoiceReference, status, version, ersReference, notification, statusDelayMs } = body;
  process.stdout.write(
    `${JSON.stringify({ invoiceReference, status, version, ersReference, notification, statusDelayMs }, null, 2)}\n`,
  );
} catch (error) {
  process.stderr.write(
    `cannot reach the sandbox at ${base} (is \`npm start\` running?): ${(error as Error).message}\n`,
  );
  process.exit(1);
}
