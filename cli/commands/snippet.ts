import type { Command } from 'commander';
import { UnknownPurchaseTokenError } from '../../lambda/checkout/model/errors.js';
import { qrSnippet } from '../../lambda/checkout/views/qr-snippet.js';
import { localQrScriptUrl } from '../../lambda/wiring/local-profile.js';
import { note, session, show } from '../session.js';

/** Glase's old CDN no longer answers: a deployed shop passes the URL Glase gives it. */
const PLACEHOLDER_SCRIPT_URL = 'https://cdn.glase.example/qrcode/seqr-qrcode.js';

/** `snippet`: the product-page HTML for Glase's QR widget. */
export function registerSnippet(program: Command): void {
  program
    .command('snippet')
    .argument('<purchaseToken>')
    .option(
      '--script-url <url>',
      "where the Glase QR script is served (GLASE_QR_SCRIPT_URL); connected to npm start: the sandbox's stand-in",
    )
    .option('--selector <css>', 'the element the QR code is drawn in', '#qrcode')
    .description('print the product-page HTML for the Glase QR widget')
    .action(async (token: string, flags: { scriptUrl?: string; selector: string }, command: Command) =>
      session(command, async ({ wiring, deployed }, options) => {
        if (!(await wiring.catalog.getProduct(token))) throw new UnknownPurchaseTokenError(token);
        const given = flags.scriptUrl ?? process.env.GLASE_QR_SCRIPT_URL;
        const scriptUrl = given ?? (deployed ? PLACEHOLDER_SCRIPT_URL : localQrScriptUrl());
        const placeholder = scriptUrl === PLACEHOLDER_SCRIPT_URL;
        if (placeholder) {
          note('note: using a placeholder script URL; pass --script-url with the address Glase gave you');
        }
        const widget = {
          scriptUrl,
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
