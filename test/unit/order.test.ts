import { canTransition, ORDER_STATUSES, refundedMinor } from '../../lambda/checkout/model/order.js';

describe('order state machine', () => {
  it('allows exactly the moves DESIGN.md draws', () => {
    const allowed = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'RESERVED→INVOICED',
        'RESERVED→FAILED',
        'INVOICED→PAID',
        'INVOICED→CANCELED',
        'PAID→PARTIALLY_REFUNDED',
        'PAID→REFUNDED',
        'PARTIALLY_REFUNDED→PARTIALLY_REFUNDED',
        'PARTIALLY_REFUNDED→REFUNDED',
      ].sort(),
    );
  });

  it('never leaves an end state', () => {
    for (const end of ['REFUNDED', 'FAILED', 'CANCELED'] as const) {
      expect(ORDER_STATUSES.filter((to) => canTransition(end, to))).toEqual([]);
    }
  });

  it('counts pending and succeeded refunds, not failed ones', () => {
    const refund = (amountMinor: number, status: 'PENDING' | 'SUCCEEDED' | 'FAILED') => ({
      refundId: `R${amountMinor}`,
      amountMinor,
      status,
      requestedAt: '',
      restock: false,
    });
    expect(
      refundedMinor({ refunds: [refund(100, 'SUCCEEDED'), refund(50, 'PENDING'), refund(999, 'FAILED')] }),
    ).toBe(150);
    expect(refundedMinor({})).toBe(0);
  });
});
