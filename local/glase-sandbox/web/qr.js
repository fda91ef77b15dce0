/*
 * The Glase sandbox's stand-in for Glase's QR widget script: the same global API
 * (seqrQRCode.qrCode({selector, purchaseToken, webshopId})). It draws a real QR code, rendered
 * by the sandbox with the `qrcode` library, carrying the webshop id and the purchase token; in
 * the sandbox the code is a link that opens the sandbox's Glase app on this computer.
 */
(() => {
  const script = document.currentScript;
  const origin = script ? new URL(script.src).origin : window.location.origin;

  function appLink(webshopId, purchaseToken) {
    const query = new URLSearchParams({ webshopId: webshopId, purchaseToken: purchaseToken });
    return `${origin}/app/?${query.toString()}`;
  }

  window.seqrQRCode = {
    qrCode: (options) => {
      const target = document.querySelector(options.selector);
      if (!target) throw new Error(`seqrQRCode: nothing matches ${options.selector}`);
      const query = new URLSearchParams({
        webshopId: options.webshopId,
        purchaseToken: options.purchaseToken,
      });
      const link = document.createElement('a');
      link.href = appLink(options.webshopId, options.purchaseToken);
      link.className = 'seqr-qrcode';
      const image = document.createElement('img');
      image.src = `${origin}/sandbox/qr.svg?${query.toString()}`;
      image.width = 200;
      image.height = 200;
      image.alt = `QR code: scan with the Glase app to buy ${options.purchaseToken}`;
      link.appendChild(image);
      const caption = document.createElement('span');
      caption.textContent = 'Scan with the Glase app — or open the sandbox app';
      link.appendChild(caption);
      target.replaceChildren(link);
    },
  };
})();
