import type { Command } from 'commander';
import { RefusedError } from '../../lambda/checkout/model/errors.js';
import {
  applyRetention,
  forgetShopper,
  RETENTION_WINDOW_DAYS,
  type ShopperDeps,
  shopperRecords,
} from '../../lambda/checkout/use-cases/shoppers.js';
import { orderView } from '../../lambda/checkout/views/order-view.js';
import type { OperatorWiring } from '../../lambda/wiring/operator.js';
import { out, session, show } from '../session.js';

const SHOPPER = 'their e-mail address or phone number, as they gave it at checkout (any form: +46…, 07…)';

const depsOf = (wiring: OperatorWiring): ShopperDeps => ({
  store: wiring.store,
  mailLog: wiring.mailLog,
  webhookLog: wiring.webhooks.log,
  clock: wiring.settlement.clock,
});

/**
 * `shoppers …`: a shopper's rights over their personal data (GDPR Art. 15 and 17) and the
 * retention period (docs/privacy.md). Amounts, VAT, dates and references stay for the books.
 */
export function registerShoppers(program: Command): void {
  const shoppers = program
    .command('shoppers')
    .description("a shopper's personal data: access, erasure, retention");
  shoppers
    .command('export')
    .argument('<shopper>', SHOPPER)
    .description('everything held about a shopper, as JSON (an access request, GDPR Art. 15)')
    .action(async (term: string, _flags, command: Command) =>
      session(command, async ({ wiring }) => {
        const records = await shopperRecords(depsOf(wiring), term);
        out(
          JSON.stringify(
            {
              shopper: records.shopper,
              exportedAt: wiring.settlement.clock.now().toISOString(),
              orders: records.orders.map(orderView),
              lookupKeys: records.lookupKeys,
              mails: records.mails,
              webhookDeliveries: records.webhookDeliveries.map((delivery) => ({
                ...delivery,
                body: JSON.parse(delivery.body),
              })),
            },
            null,
            2,
          ),
        );
      }),
    );
  shoppers
    .command('forget')
    .argument('<shopper>', SHOPPER)
    .option('--yes', 'erase (without it: say what would be erased, erase nothing)')
    .description(
      "erase a shopper's name, street, zip, e-mail and phone from their closed orders, with the lookups and mail records (GDPR Art. 17)",
    )
    .action(async (term: string, flags: { yes?: boolean }, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const deps = depsOf(wiring);
        if (!flags.yes) {
          const { orders, mails } = await shopperRecords(deps, term);
          show(options, { wouldForget: orders.map((order) => order.orderId), mails: mails.length }, () =>
            orders.length === 0
              ? 'nothing held about this shopper'
              : `would erase the personal data of ${orders.length} order(s): ${orders.map((order) => `${order.orderId} (${order.status})`).join(', ')}; ${mails.length} mail record(s)\nnothing erased: add --yes`,
          );
          return;
        }
        const result = await forgetShopper(deps, term);
        show(options, result, () =>
          [
            result.forgotten.length === 0 && result.open.length === 0
              ? 'nothing held about this shopper'
              : `erased name, street, zip, e-mail and phone from ${result.forgotten.length} order(s)${result.forgotten.length ? `: ${result.forgotten.join(', ')}` : ''}; removed their lookups, ${result.mailsForgotten} mail record(s) and ${result.webhookDeliveriesForgotten} webhook delivery record(s). Kept for the books: amounts, VAT, dates, references, city and country.`,
            ...(result.open.length
              ? [
                  `not erased, still open (unpaid invoice): ${result.open.join(', ')}. Run this again once they are paid or canceled (at most INVOICE_TTL_SECONDS).`,
                ]
              : []),
          ].join('\n'),
        );
        if (result.open.length > 0) {
          throw new RefusedError(
            `${result.open.length} open order(s) not erased yet: run this again once they are paid or canceled`,
          );
        }
      }),
    );
  shoppers
    .command('retention')
    .option('--all', 'every closed order past the period, not only those that crossed it lately')
    .option('--limit <n>', 'at most this many orders in this run', (value) => Number(value), 1000)
    .description(
      'erase personal data of closed orders older than PERSONAL_DATA_RETENTION_DAYS now (the reconciler does it hourly)',
    )
    .action(async (flags: { all?: boolean; limit: number }, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const days = wiring.config.personalDataRetentionDays;
        const run = await applyRetention(depsOf(wiring), {
          days,
          windowDays: flags.all ? undefined : RETENTION_WINDOW_DAYS,
          limit: flags.limit,
        });
        show(
          options,
          { days, ...run },
          () =>
            `retention ${days} days: erased the personal data of ${run.forgotten} order(s) (${run.scanned} closed order(s) past the period looked at)`,
        );
      }),
    );
}
