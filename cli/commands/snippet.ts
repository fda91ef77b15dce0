import type { Command } from 'commander';
import { UnknownPurchaseTokenError } from '../../lambda/checkout/model/errors.js';
import { qrSnippet } from '../output.js';
import { note, session, show } from '../session.js';

const DEFAULT_SCRIPT_URL =
  process.env.GLASE_QR_SCRIPT_URL ?? 'https://cdn.glase.example/qrcode/seqr-qrcode.js';

/** `snippet`: the product-page HTML for Glase's QR widget. */
export function registerSnippet(program: Command): void {
  program
    .command('snippet')
    .argument('<purchaseToken>')
    .option(
      '--script-url <url>',
      'where the Glase QR script is served (GLASE_QR_SCRIPT_URL)',
      DEFAULT_SCRIPT_URL,
    )
    .option('--selector <css>', 'the element the QR code is drawn in', '#qrcode')
    .description('print the product-page HTML for the Glase QR widget')
    .action(async (token: string, flags: { scriptUrl: string; selector: string }, command: Command) =>
      session(command, async ({ wiring }, options) => {
        if (!(await wiring.catalog.getProduct(token))) throw new UnknownPurchaseTokenError(token);
        const placeholder = flags.scriptUrl === DEFAULT_SCRIPT_URL && !process.env.GLASE_QR_SCRIPT_URL;
        if (placeholder) {
          note('note: using a placeholder script URL; pass --script-url with the address Glase gave you');
        }
        const widget = {
          scriptUrl: flags.scriptUrl,
          selector: flags.selector,
          purchaseToken: token,
          webshopId: wiring.config.glase.webshopId ?? '',
        };
        show(options, { ...widget, placeholderScriptUrl: placeholder, html: qrSnippet(widget) }, () =>
          qrSnippet(widget),
        );
      }),
    );
}
