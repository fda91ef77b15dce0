/*
 * The sandbox's Glase app: what a shopper does on the phone, against the local shop. "Scan" asks
 * the sandbox to call the shop's createPurchase exactly as Glase would (with the saved profile),
 * then shows the invoice the shop sent; Pay and Decline are the payer's side of the sandbox.
 * Plain JavaScript, no build step, no request outside this computer.
 */
(() => {
  const GLASE_REVERSAL_MS = 20000;
  const PROFILE_KEY = 'glase-sandbox-profile';
  const DEFAULT_PROFILE = {
    clientName: 'Åsa Öberg',
    street: 'Storgatan 1',
    zip: '11122',
    city: 'Stockholm',
    country: 'Sweden',
    email: 'asa@example.com',
    msisdn: '+46701234567',
  };
  const PRESETS = {
    html: { clientName: '<img src=x onerror=alert(1)>Åsa' },
    long: { street: 'Storgatan '.repeat(30) },
    blank: { clientName: '\u3164' },
  };
  const $ = (id) => document.getElementById(id);
  let invoiceReference;
  let timer;

  function profile() {
    const values = {};
    new FormData($('profile')).forEach((value, key) => {
      values[key] = String(value);
    });
    return values;
  }
  function loadProfile() {
    let saved = {};
    try {
      saved = JSON.parse(localStorage.getItem(PROFILE_KEY) || '{}');
    } catch (_error) {
      saved = {};
    }
    const values = Object.assign({}, DEFAULT_PROFILE, saved);
    Object.keys(values).forEach((key) => {
      const field = $('profile').elements.namedItem(key);
      if (field) field.value = values[key];
    });
  }
  function saveProfile() {
    localStorage.setItem(PROFILE_KEY, JSON.stringify(profile()));
  }

  async function call(method, path, body) {
    const response = await fetch(path, {
      method: method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch (_error) {
      json = { error: text };
    }
    return { ok: response.ok, status: response.status, json: json };
  }

  function money(amount) {
    return amount ? `${amount.value} ${amount.currency}` : '';
  }
  function show(section) {
    ['scan', 'invoice', 'outcome'].forEach((id) => {
      $(id).hidden = id !== section;
    });
  }
  function fact(list, label, value) {
    const term = document.createElement('dt');
    term.textContent = label;
    const detail = document.createElement('dd');
    detail.textContent = value;
    list.append(term, detail);
  }

  async function scan(event) {
    event.preventDefault();
    saveProfile();
    $('scan-error').hidden = true;
    $('buy').disabled = true;
    try {
      const answer = await call('POST', '/sandbox/app/purchase', {
        purchaseToken: $('token').value.trim(),
        profile: profile(),
      });
      const shopSaid = answer.json.shop || {};
      if (!answer.ok || !shopSaid.invoiceReferenceId) {
        const error = shopSaid.error || answer.json;
        $('scan-error').textContent =
          'The shop said ' +
          (answer.json.status || answer.status) +
          ': ' +
          (error.code ? `${error.code} — ` : '') +
          (error.message || error.error || JSON.stringify(error));
        $('scan-error').hidden = false;
        return;
      }
      invoiceReference = shopSaid.invoiceReferenceId;
      await showInvoice();
    } finally {
      $('buy').disabled = false;
    }
  }

  async function showInvoice() {
    const answer = await call('GET', `/sandbox/invoices/${invoiceReference}`);
    const invoice = answer.json;
    $('invoice-shop').textContent = `${invoice.title} — invoice ${invoice.invoiceReference}`;
    const body = $('rows').querySelector('tbody');
    body.replaceChildren();
    invoice.rows.forEach((row) => {
      const line = document.createElement('tr');
      const item = document.createElement('td');
      item.textContent =
        row.itemQuantity +
        ' × ' +
        row.itemDescription +
        (row.itemDiscount ? ` (${money(row.itemDiscount)} off)` : '');
      const vat = document.createElement('td');
      vat.textContent = `${row.itemTaxRate} %`;
      const amount = document.createElement('td');
      amount.textContent = money(row.itemTotalAmount);
      line.append(item, vat, amount);
      body.append(line);
    });
    $('total').textContent = `${(invoice.totalMinor / 100).toFixed(2)} ${invoice.currency}`;
    show('invoice');
    $('pay').focus();
  }

  function outcome(invoice, heading) {
    $('status').textContent = heading;
    const facts = $('facts');
    facts.replaceChildren();
    fact(facts, 'invoice', invoice.invoiceReference);
    fact(facts, 'status', invoice.status);
    if (invoice.ersReference) fact(facts, 'payment (ERS)', invoice.ersReference);
    if (invoice.paymentReference) fact(facts, 'receipt reference', invoice.paymentReference);
    if (invoice.notification) {
      fact(
        facts,
        'the shop answered the notification',
        invoice.notification.error
          ? `not at all: ${invoice.notification.error}`
          : `HTTP ${invoice.notification.statusCode} in ${invoice.notification.ms} ms`,
      );
    }
    if (invoice.statusDelayMs !== undefined) {
      fact(facts, 'getPaymentStatus seen at', `${invoice.statusDelayMs} ms (Glase reverses after 20000 ms)`);
    }
    if (invoice.reversed) fact(facts, 'reversed', 'yes: the shop did not ask for the status in time');
    (invoice.refunds || []).forEach((refund) => {
      fact(
        facts,
        'refunded',
        `${(refund.amountMinor / 100).toFixed(2)} ${invoice.currency} (${refund.ersReference})`,
      );
    });
    show('outcome');
  }

  async function pay() {
    $('pay').disabled = true;
    const started = Date.now();
    clearInterval(timer);
    timer = setInterval(() => {
      const left = Math.max(0, GLASE_REVERSAL_MS - (Date.now() - started));
      $('countdown').textContent =
        left > 0 ? `Glase waits ${(left / 1000).toFixed(0)} s for the shop to ask for the status` : '';
      if (left === 0) clearInterval(timer);
    }, 250);
    const answer = await call('POST', `/sandbox/invoices/${invoiceReference}/pay`);
    $('pay').disabled = false;
    if (!answer.ok) {
      outcome({ invoiceReference: invoiceReference, status: 'ERROR' }, answer.json.error || 'failed');
      return;
    }
    const invoice = answer.json;
    if (invoice.statusDelayMs !== undefined) {
      // The shop asked for the status: Glase's 20-second clock has stopped.
      clearInterval(timer);
      $('countdown').textContent =
        'The shop asked for the status ' +
        invoice.statusDelayMs +
        " ms after the notification: inside Glase's 20 s, the payment stands.";
    }
    outcome(
      invoice,
      invoice.statusDelayMs !== undefined ? 'Paid — the shop confirmed it' : 'Paid — waiting for the shop',
    );
  }

  async function decline() {
    const answer = await call('POST', `/sandbox/invoices/${invoiceReference}/cancel`);
    outcome(answer.json, answer.ok ? 'Declined' : answer.json.error);
  }

  async function refresh() {
    const answer = await call('GET', `/sandbox/invoices/${invoiceReference}`);
    if (answer.ok) outcome(answer.json, $('status').textContent);
  }

  async function setFaults() {
    const form = $('faults').elements;
    await call('DELETE', '/sandbox/faults');
    if (form.namedItem('slow').checked)
      await call('POST', '/sandbox/faults', {
        operation: 'getPaymentStatus',
        kind: 'delay',
        delayMs: 4000,
        times: 100,
      });
    if (form.namedItem('errors').checked)
      await call('POST', '/sandbox/faults', { operation: 'getPaymentStatus', kind: 'http500', times: 2 });
    if (form.namedItem('blip').checked) await call('POST', '/sandbox/faults', { kind: 'reset', times: 1 });
    const on = ['slow', 'errors', 'blip'].filter((name) => form.namedItem(name).checked);
    $('faults-state').textContent = on.length
      ? `Glase misbehaves: ${on.map((name) => form.namedItem(name).parentElement.textContent.trim()).join('; ')}.`
      : 'Glase behaves.';
  }

  const query = new URLSearchParams(window.location.search);
  $('token').value = query.get('purchaseToken') || '';
  if (query.get('webshopId')) $('webshop').textContent = `Shop: ${query.get('webshopId')}`;
  loadProfile();
  $('profile').addEventListener('input', saveProfile);
  $('preset').addEventListener('change', (event) => {
    const preset = PRESETS[event.target.value];
    if (!preset) return;
    Object.keys(preset).forEach((key) => {
      $('profile').elements.namedItem(key).value = preset[key];
    });
    saveProfile();
  });
  $('scan-form').addEventListener('submit', scan);
  $('pay').addEventListener('click', pay);
  $('decline').addEventListener('click', decline);
  $('refresh').addEventListener('click', refresh);
  $('again').addEventListener('click', () => {
    clearInterval(timer);
    show('scan');
    $('token').focus();
  });
  $('faults').addEventListener('change', setFaults);
  $('clear-faults').addEventListener('click', () => {
    $('faults').reset();
    setFaults();
  });
})();
