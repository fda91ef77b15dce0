import { InvalidArgumentError } from 'commander';
import { parseDecimal } from '../lambda/checkout/model/money.js';
import { ORDER_STATUSES, type OrderStatus } from '../lambda/checkout/model/order.js';
import { MAX_STOCK_SHARDS } from '../lambda/checkout/model/product.js';
import type { StockChange } from '../lambda/checkout/plans/catalog-plan.js';
import type { ReindexCursor } from '../lambda/checkout/use-cases/reindex.js';

/** How the CLI reads its arguments: a bad one is a usage error (exit 2) saying what would do. */

export function parseStatus(value: string): OrderStatus {
  const status = value.trim().toUpperCase();
  if (!(ORDER_STATUSES as readonly string[]).includes(status)) {
    throw new InvalidArgumentError(`use one of ${ORDER_STATUSES.join(', ')}`);
  }
  return status as OrderStatus;
}

export function parseStockChange(value: string): StockChange {
  const match = /^([+-]?)(\d{1,9})$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('use n, +n or -n (whole numbers)');
  const amount = Number(match[2]);
  if (match[1] === '+') return { delta: amount };
  if (match[1] === '-') return { delta: -amount };
  return { set: amount };
}

export function parseShardCount(value: string): number {
  const count = Number(value.trim());
  if (!/^\d{1,2}$/.test(value.trim()) || count < 1 || count > MAX_STOCK_SHARDS) {
    throw new InvalidArgumentError(`use a whole number from 1 to ${MAX_STOCK_SHARDS}`);
  }
  return count;
}

export function parseAmount(value: string): number {
  try {
    const minor = parseDecimal(value);
    if (minor <= 0) throw new RangeError('zero');
    return minor;
  } catch {
    throw new InvalidArgumentError('use a positive amount such as 12.50');
  }
}

export function parsePositive(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 10_000)
    throw new InvalidArgumentError('use 1-10000');
  return parsed;
}

export function parseSince(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new InvalidArgumentError('use an ISO date such as 2026-11-27 or 2026-11-27T10:00:00Z');
  }
  return new Date(time).toISOString();
}

/** Where `orders reindex` resumes: `STATUS` or `STATUS:page`, as a stopped run printed it. */
export function parseCursor(value: string): ReindexCursor {
  const [status = '', ...page] = value.trim().split(':');
  return { status: parseStatus(status), ...(page.length > 0 ? { page: page.join(':') } : {}) };
}

export function cursorText(cursor: ReindexCursor): string {
  return cursor.page ? `${cursor.status}:${cursor.page}` : cursor.status;
}

/** A calendar day, `2026-11-01`: the books' periods are whole days in Stockholm. */
export function parseDay(value: string): string {
  const day = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new InvalidArgumentError('use a date such as 2026-11-01');
  }
  return day;
}

/** The instant a day begins in Stockholm (CET or CEST, whichever it is that day). */
export function stockholmMidnight(day: string): Date {
  for (const offset of ['+01:00', '+02:00']) {
    const candidate = new Date(`${day}T00:00:00${offset}`);
    const shown = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Stockholm',
      hour: '2-digit',
      hourCycle: 'h23',
      day: '2-digit',
    }).format(candidate);
    if (shown.startsWith(day.slice(8)) && shown.endsWith('00')) return candidate;
  }
  throw new InvalidArgumentError(`${day} has no midnight in Stockholm`);
}

/** The day after `day`. */
export function nextDay(day: string): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}
