import type { Order } from '../../lambda/checkout/model/order.js';
import {
  lookupChanges,
  lookupEntriesOf,
  lookupKeysFor,
  PENDING_REFUND,
} from '../../lambda/checkout/model/order-lookups.js';
import { anOrder, CUSTOMER } from '../support/orders.js';

const CREATED = '2026-11-27T10:00:00.000Z';

/** Lookups depend on the shopper and Glase's references only. */
const order = (overrides: Partial<Order> = {}): Order =>
  anOrder({
    customer: { ...CUSTOMER, email: ' Ann.Berg@Shop.SE ', msisdn: '+46 (70) 123-45-67' },
    createdAt: CREATED,
    ...overrides,
  });

const keys = (target: Order) => lookupEntriesOf(target).map((entry) => entry.key);

describe('what finds an order', () => {
  it('a new order: its shopper’s e-mail (lower case, trimmed) and phone digits, at its creation', () => {
    expect(lookupEntriesOf(order())).toEqual([
      { key: 'email:ann.berg@shop.se', at: CREATED },
      { key: 'phone:46701234567', at: CREATED },
    ]);
  });

  it('no phone key for a phone number without digits; a 00 prefix is the same number as +', () => {
    expect(keys(order({ customer: { ...order().customer, msisdn: '' } }))).toEqual([
      'email:ann.berg@shop.se',
    ]);
    expect(keys(order({ customer: { ...order().customer, msisdn: '0046701234567' } }))).toContain(
      'phone:46701234567',
    );
  });

  it('Glase’s references once known, the refunds’ own references, and a pending refund at its request time', () => {
    const paid = order({
      invoiceReference: '111',
      paymentReference: 'P-2',
      ersReference: '333',
      pendingRefundId: 'R2',
      refunds: [
        {
          refundId: 'R1',
          amountMinor: 1,
          status: 'SUCCEEDED',
          requestedAt: 'x',
          restock: false,
          ersReference: '444',
        },
        {
          refundId: 'R2',
          amountMinor: 1,
          status: 'PENDING',
          requestedAt: '2026-11-28T00:00:00.000Z',
          restock: false,
        },
      ],
    });
    expect(lookupEntriesOf(paid)).toEqual([
      { key: 'email:ann.berg@shop.se', at: CREATED },
      { key: 'phone:46701234567', at: CREATED },
      { key: 'invoice:111', at: CREATED },
      { key: 'payment:P-2', at: CREATED },
      { key: 'ers:333', at: CREATED },
      { key: 'ers:444', at: CREATED },
      { key: PENDING_REFUND, at: '2026-11-28T00:00:00.000Z' },
    ]);
  });

  it('a change adds what became true and removes what stopped; what stays is left alone', () => {
    const before = order({
      pendingRefundId: 'R1',
      refunds: [{ refundId: 'R1', amountMinor: 1, status: 'PENDING', requestedAt: 'T1', restock: false }],
    });
    const after = order({
      pendingRefundId: undefined,
      refunds: [
        {
          refundId: 'R1',
          amountMinor: 1,
          status: 'SUCCEEDED',
          requestedAt: 'T1',
          restock: false,
          ersReference: '9',
        },
      ],
    });
    expect(lookupChanges(before, after)).toEqual({
      add: [{ key: 'ers:9', at: CREATED }],
      remove: [{ key: PENDING_REFUND, at: 'T1' }],
    });
    expect(lookupChanges(after, after)).toEqual({ add: [], remove: [] });
    expect(lookupChanges(undefined, after).add).toEqual(lookupEntriesOf(after));
    // The same key at a new time is both: the store writes it again.
    const moved = lookupChanges(
      before,
      order({ ...before, refunds: [{ ...before.refunds![0]!, requestedAt: 'T2' }] }),
    );
    expect(moved).toEqual({
      add: [{ key: PENDING_REFUND, at: 'T2' }],
      remove: [{ key: PENDING_REFUND, at: 'T1' }],
    });
  });
});

describe('what a search term may be', () => {
  it('an e-mail address is only an e-mail, in any case', () => {
    expect(lookupKeysFor('  ANN.Berg@shop.se ')).toEqual(['email:ann.berg@shop.se']);
  });

  it('anything else is any of Glase’s references, and a phone number when it looks like one', () => {
    expect(lookupKeysFor('1795000123')).toEqual([
      'invoice:1795000123',
      'payment:1795000123',
      'ers:1795000123',
      'phone:1795000123',
    ]);
    expect(lookupKeysFor('+46 70-123 45 67')).toContain('phone:46701234567');
    expect(lookupKeysFor('P-ab12')).toEqual(['invoice:P-ab12', 'payment:P-ab12', 'ers:P-ab12']);
    expect(lookupKeysFor('1234')).not.toContain('phone:1234');
  });
});
