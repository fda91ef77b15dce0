/** One e-mail to a shopper (use-cases/order-mail.ts), rendered both as plain text and as HTML. */
export interface Mail {
  /** What the mail is about, e.g. `<orderId>#paid`: one mail per key. */
  readonly key: string;
  readonly from: string;
  readonly to: { readonly name: string; readonly address: string };
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}
