/** The product-page QR widget as Glase's instant-checkout guide describes it. */
export function qrSnippet(options: {
  scriptUrl: string;
  selector: string;
  purchaseToken: string;
  webshopId: string;
}): string {
  const id = options.selector.replace(/^#/, '');
  const quote = (value: string) => JSON.stringify(value).replace(/</g, '\\u003c');
  return [
    `<div id="${id.replace(/[^A-Za-z0-9_-]/g, '')}"></div>`,
    `<script src="${options.scriptUrl.replace(/"/g, '&quot;')}"></script>`,
    '<script>',
    '  seqrQRCode.qrCode({',
    `    selector: ${quote(options.selector)},`,
    `    purchaseToken: ${quote(options.purchaseToken)},`,
    `    webshopId: ${quote(options.webshopId)},`,
    '  });',
    '</script>',
  ].join('\n');
}
