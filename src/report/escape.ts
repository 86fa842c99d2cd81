// Escaping of capture strings (file names can hold anything) for the markup outputs.

/** Text for HTML or XML content and attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A Markdown table cell: no pipes or newlines. */
export const cell = (s: unknown): string =>
  String(s)
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
