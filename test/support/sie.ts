/** A reader of what we write, as an accounting program would read it: vouchers and their rows. */
export function readSie(text: string) {
  const vouchers: { date: string; text: string; rows: { account: string; amountMinor: number }[] }[] = [];
  const heads: Record<string, string[]> = {};
  let current: (typeof vouchers)[number] | undefined;
  for (const line of text.split(/\r\n/).filter(Boolean)) {
    const ver = /^#VER "A" \d+ (\d{8}) "(.*)"$/.exec(line);
    const trans = /^\s+#TRANS (\d{4}) \{\} (-?\d+)\.(\d{2})$/.exec(line);
    if (ver) current = { date: ver[1] as string, text: ver[2] as string, rows: [] };
    else if (line === '{') continue;
    else if (line === '}') {
      if (current) vouchers.push(current);
      current = undefined;
    } else if (trans) {
      const [, account, major, minor] = trans;
      const sign = (major as string).startsWith('-') ? -1 : 1;
      current?.rows.push({
        account: account as string,
        amountMinor: sign * (Math.abs(Number(major)) * 100 + Number(minor)),
      });
    } else {
      const [label, ...rest] = line.split(' ');
      const values = heads[label as string] ?? [];
      values.push(rest.join(' '));
      heads[label as string] = values;
    }
  }
  return { heads, vouchers };
}
