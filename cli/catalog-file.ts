import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { CATALOG_COLUMNS, REQUIRED_CATALOG_COLUMNS } from '../lambda/checkout/use-cases/catalog-import.js';
import { CatalogFileError } from './errors.js';

/**
 * Reads a catalog file into plain rows: a JSON array of objects, or CSV with a header line
 * (RFC 4180: quoted fields may hold commas, quotes as "" and line breaks).
 */
export async function readCatalogFile(path: string): Promise<Record<string, unknown>[]> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES'
            ? 'not allowed to read it'
            : (error as Error).message;
    throw new CatalogFileError(`${path}: ${why}`);
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch (error) {
      throw new CatalogFileError(`${path}: not valid JSON (${(error as Error).message})`);
    }
    if (
      !Array.isArray(parsed) ||
      parsed.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))
    ) {
      throw new CatalogFileError(`${path}: a JSON catalog is an array of product objects`);
    }
    return parsed as Record<string, unknown>[];
  }
  if (extension === '.csv') {
    const { header, rows } = parseCsvTable(content.replace(/^\uFEFF/, ''));
    checkHeader(path, header);
    return rows;
  }
  throw new CatalogFileError(`${path}: use a .json or .csv file`);
}

/**
 * A header that names none of the columns we need is not a catalog: say so once, and guess why
 * (another separator), instead of a wrong-field error on every row.
 */
function checkHeader(path: string, header: readonly string[]): void {
  const missing = REQUIRED_CATALOG_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length === 0) return;
  const line = header.join(',');
  const separator = [';', '\t', '|'].find((candidate) => line.includes(candidate));
  const hint = separator
    ? ` It looks separated by ${separator === '\t' ? 'tabs' : `"${separator}"`}: save it as CSV with commas.`
    : '';
  throw new CatalogFileError(
    `${path}: header not recognised: missing ${missing.join(', ')}.${hint} ` +
      `The first line names the columns: ${CATALOG_COLUMNS.join(', ')}.`,
  );
}

export function parseCsv(text: string): Record<string, string>[] {
  return parseCsvTable(text).rows;
}

function parseCsvTable(text: string): { header: string[]; rows: Record<string, string>[] } {
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
  if (!header) return { header: [], rows: [] };
  const columns = header.map((name) => name.trim());
  return {
    header: columns,
    rows: rows.map((row) => Object.fromEntries(columns.map((column, index) => [column, row[index] ?? '']))),
  };
}
