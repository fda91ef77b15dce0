import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

/**
 * Reads a catalog file into plain rows: a JSON array of objects, or CSV with a header line
 * (RFC 4180: quoted fields may hold commas, quotes as "" and line breaks).
 */
export async function readCatalogFile(path: string): Promise<Record<string, unknown>[]> {
  const content = await readFile(path, 'utf8');
  const extension = extname(path).toLowerCase();
  if (extension === '.json') {
    const parsed: unknown = JSON.parse(content);
    if (
      !Array.isArray(parsed) ||
      parsed.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))
    ) {
      throw new Error(`${path}: a JSON catalog is an array of product objects`);
    }
    return parsed as Record<string, unknown>[];
  }
  if (extension === '.csv') return parseCsv(content.replace(/^\uFEFF/, ''));
  throw new Error(`${path}: use a .json or .csv file`);
}

export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records.filter((row) => row.some((cell) => cell.trim() !== ''));
  if (!header) return [];
  const columns = header.map((name) => name.trim());
  return rows.map((row) => Object.fromEntries(columns.map((column, index) => [column, row[index] ?? ''])));
}
