/** A CSV file as rows of named cells; `line` is the 1-based line where the row starts (for errors). */
export interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

/**
 * RFC 4180 CSV: comma separated, fields optionally in double quotes ("" is a quote inside), quoted
 * fields may hold commas and line breaks, CRLF or LF line ends. The first row is the header.
 */
export function parseCsv(text: string, source: string, required: readonly string[] = []): CsvRow[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: rowLine, fields });
    fields = [];
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < body.length) {
    const c = body[i] as string;
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && body[i + 1] === '\n') i++;
      line++;
      rowLine = line;
    } else field += c;
    i++;
  }
  if (quoted) throw new Error(`${source}: a quoted field that starts on line ${rowLine} is never closed`);
  if (field !== '' || fields.length > 0) endRecord();

  const [header, ...rows] = records;
  if (!header) throw new Error(`${source}: expected a header row, the file is empty`);
  const names = header.fields.map((h) => h.trim());
  const missing = required.filter((r) => !names.includes(r));
  if (missing.length > 0) {
    throw new Error(
      `${source}: expected columns ${required.join(', ')}; missing ${missing.join(', ')} (header: ${names.join(', ')})`,
    );
  }
  return rows.map(({ line: at, fields: f }) => {
    if (f.length !== names.length) {
      throw new Error(
        `${source}:${at}: expected ${names.length} fields (${names.join(',')}), got ${f.length}`,
      );
    }
    const cells: Record<string, string> = {};
    names.forEach((n, k) => {
      cells[n] = f[k] as string;
    });
    return { line: at, cells };
  });
}

/** A finite number from a cell, or an error naming the file, line and column. */
export function numberCell(row: CsvRow, column: string, source: string): number {
  const raw = row.cells[column] ?? '';
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n))
    throw new Error(`${source}:${row.line}: ${column}: expected a number, got ${JSON.stringify(raw)}`);
  return n;
}

/** Epoch ms of a YYYY-MM-DD date at 00:00 UTC, or an error naming the place. */
export function dateCell(row: CsvRow, column: string, source: string): number {
  const raw = (row.cells[column] ?? '').trim();
  const t = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Number.NaN;
  if (!Number.isFinite(t))
    throw new Error(
      `${source}:${row.line}: ${column}: expected a date YYYY-MM-DD, got ${JSON.stringify(raw)}`,
    );
  return t;
}
