/** Markdown output, small statistics, and the generated section of docs/benchmarks.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const START_MARKER = '<!-- bench:start -->';
export const END_MARKER = '<!-- bench:end -->';

export type Cell = string | number;

const escapeCell = (cell: Cell): string => String(cell).replaceAll('|', '\\|').replaceAll('\n', ' ');

export function table(headers: readonly string[], rows: readonly (readonly Cell[])[], align?: readonly ('l' | 'r')[]): string {
  const rule = headers.map((_, index) => (align?.[index] === 'r' ? '---:' : '---'));
  return [headers, rule, ...rows].map((row) => `| ${row.map(escapeCell).join(' | ')} |`).join('\n');
}

/** One report section: a heading, optional prose, then tables or notes. */
export interface Section {
  title: string;
  body: string[];
}

export const renderSection = (section: Section): string => [`### ${section.title}`, '', ...section.body.flatMap((part) => [part, ''])].join('\n');

export const fmt = (value: number, digits = 1): string => (Number.isInteger(value) ? String(value) : value.toFixed(digits));
/** A count with thousands separators: 10,000. */
export const int = (value: number): string => value.toLocaleString('en-US');
export const ms = (value: number): string => `${value.toFixed(1)} ms`;
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
export const okMark = (ok: boolean): string => (ok ? '✅' : '❌');

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** Replaces what lies between the markers (adding them at the end if missing) and keeps the rest. */
export function writeBetweenMarkers(file: string, generated: string, fallbackIntro: string): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : fallbackIntro;
  const block = `${START_MARKER}\n${generated.trim()}\n${END_MARKER}`;
  const start = current.indexOf(START_MARKER);
  const end = current.indexOf(END_MARKER);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + END_MARKER.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}
