// JSON rendering: the analysis results as they are (they are plain data by design).

export function renderJson(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}
