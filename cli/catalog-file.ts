import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { CATALOG_COLUMNS, REQUIRED_CATALOG_COLUMNS } from '../lambda/checkout/use-cases/catalog-import.js';
import { CatalogFileError } from './errors.js';

/** A catalog file's rows, and where each stands in the file, as an operator finds it there. */
export interface CatalogFile {
  readonly rows: Record<string, unknown>[];
  /** `line 7` (CSV: the file's own line, header included) or `item 3` (JSON), per row. */
  readonly places: string[];
}

/**
 * Reads a catalog file into plain rows: a JSON array of objects, or CSV with a header line
 * (RFC 4180: quoted fields may hold commas, quotes as "" and line breaks). A CSV separated by
 * semicolons, as Swedish Excel saves it, is read the same way, its prices' decimal commas too.
 */
export async function readCatalogFile(path: string): Promise<CatalogFile> {
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
    return {
      rows: parsed as Record<string, unknown>[],
      places: parsed.map((_row, index) => `item ${index + 1}`),
    };
  }
  if (extension === '.csv') {
    const text = content.replace(/^\uFEFF/, '');
    const separator = separatorOf(text);
    const { header, rows, lines } = parseCsvTable(text, separator);
    checkHeader(path, header);
    return {
      rows: separator === ';' ? rows.map(withDecimalPoints) : rows,
      places: lines.map((line) => `line ${line}`),
    };
  }
  throw new CatalogFileError(`${path}: use a .json or .csv file`);
}

/** Commas, unless the header line names our columns only when split by semicolons (Swedish Excel). */
function separatorOf(text: string): ',' | ';' {
  const headerLine = text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
  const names = (separator: string) =>
    headerLine.split(separator).map((name) => name.trim().replace(/^"|"$/g, ''));
  const fits = (separator: string) =>
    REQUIRED_CATALOG_COLUMNS.every((column) => names(separator).includes(column));
  return !fits(',') && fits(';') ? ';' : ',';
}

/** "1 299,50" as a semicolon file writes a price: 1299.50. Only the price column is money text. */
function withDecimalPoints(row: Record<string, string>): Record<string, string> {
  const price = row.price;
  if (price === undefined || !/^[\d\s\u00a0\u202f]+,\d{1,2}$/.test(price.trim())) return row;
  return {
    ...row,
    price: price
      .trim()
      .replace(/[\s\u00a0\u202f]/g, '')
      .replace(',', '.'),
  };
}

/**
 * A header that names none of the columns we need is not a catalog: say so once, and guess why
 * (another separator), instead of a wrong-field error on every row.
 */
function checkHeader(path: string, header: readonly string[]): void {
  const missing = REQUIRED_CATALOG_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length === 0) return;
  const line = header.join(',');
  const separator = ['\t', '|'].find((candidate) => line.includes(candidate));
  const hint = separator
    ? ` It looks separated by ${separator === '\t' ? 'tabs' : `"${separator}"`}: save it as CSV with commas or semicolons.`
    : '';
  throw new CatalogFileError(
    `${path}: header not recognised: missing ${missing.join(', ')}.${hint} ` +
      `The first line names the columns: ${CATALOG_COLUMNS.join(', ')}.`,
  );
}

export function parseCsv(text: string, separator: ',' | ';' = ','): Record<string, string>[] {
  return parseCsvTable(text, separator).rows;
}

/** The header, the rows, and the file line each row starts on (quoted line breaks counted). */
function parseCsvTable(
  text: string,
  separator: ',' | ';',
): { header: string[]; rows: Record<string, string>[]; lines: number[] } {
  const records: { cells: string[]; line: number }[] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startedOn = 1;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === separator) {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      record.push(field);
      records.push({ cells: record, line: startedOn });
      record = [];
      field = '';
      line++;
      startedOn = line;
    } else {
      field += char;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push({ cells: record, line: startedOn });
  }
  const [header, ...rows] = records.filter((row) => row.cells.some((cell) => cell.trim() !== ''));
  if (!header) return { header: [], rows: [], lines: [] };
  const columns = header.cells.map((name) => name.trim());
  return {
    header: columns,
    rows: rows.map((row) =>
      Object.fromEntries(columns.map((column, index) => [column, row.cells[index] ?? ''])),
    ),
    lines: rows.map((row) => row.line),
  };
}
