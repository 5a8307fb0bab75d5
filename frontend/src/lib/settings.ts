// Lists as the Settings page edits them.

/** splitList reads "a, b" or one item per line into trimmed, non-empty items. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** joinList writes items for a text field. */
export function joinList(items: string[] | null | undefined, sep: string): string {
  return (items ?? []).join(sep);
}
