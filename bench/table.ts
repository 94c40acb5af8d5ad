// A plain table rendered two ways: aligned text for the terminal, and Markdown.

export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
  /** Columns (by index) that hold numbers and align right. */
  numeric: number[];
  notes?: string[];
}

export function tableText(table: Table): string {
  const widths = table.headers.map((h, i) =>
    Math.max(h.length, ...table.rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        table.numeric.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [
    table.title,
    line(table.headers),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...table.rows.map(line),
    ...(table.notes ?? []).map((n) => `  ${n}`),
  ].join("\n");
}

export function tableMarkdown(table: Table): string {
  const cellText = (cell: string) => cell.replaceAll("|", "\\|");
  return [
    `### ${table.title}`,
    "",
    `| ${table.headers.map(cellText).join(" | ")} |`,
    `| ${table.headers.map((_, i) => (table.numeric.includes(i) ? "---:" : "---")).join(" | ")} |`,
    ...table.rows.map((r) => `| ${r.map(cellText).join(" | ")} |`),
    ...(table.notes === undefined ? [] : ["", ...table.notes.map((n) => `- ${n}`)]),
  ].join("\n");
}
