import type { ChildProcess } from 'node:child_process';

/** What the bench prints, and the server it measures: shared by bench/run.ts and its scenarios. */

export const say = (line = '') => process.stdout.write(`${line}\n`);

/** A createPurchase body as Glase sends it, for one named shopper (their own e-mail from the name). */
export const shopperBody = (clientName: string, purchaseToken: string) =>
  JSON.stringify({
    purchaseToken,
    clientName,
    street: 'Storgatan 1',
    city: 'Stockholm',
    country: 'Sweden',
    state: '',
    zip: '11122',
    email: `${clientName.replace(/\W/g, '').toLowerCase()}@bench.example`,
  });
export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  say(line(headers));
  say(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of cells.slice(1)) say(line(row));
}

export interface BenchServer {
  readonly process: ChildProcess;
  readonly apiUrl: string;
  readonly glaseUrl: string;
  /** DynamoDB requests and refusals since the last call, as the server's SDK middleware counted them. */
  counters(): Promise<{ requests: Record<string, number>; refusals: Record<string, number> }>;
}
