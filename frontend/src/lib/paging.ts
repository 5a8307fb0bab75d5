// Cursor paging for the records table and the blobs gallery: the server
// gives a cursor for the next page; going back needs the cursors of the
// pages seen before, kept as a stack.

export interface Pager {
  /** history holds the cursor each viewed page was fetched with; the last is the current page's. */
  history: string[];
  /** next is the cursor of the page after the current one ("" at the end). */
  next: string;
}

export const firstPage = (): Pager => ({ history: [''], next: '' });

/** current is the cursor to fetch the current page with. */
export const current = (p: Pager): string => p.history[p.history.length - 1];

export const canNext = (p: Pager): boolean => p.next !== '';
export const canBack = (p: Pager): boolean => p.history.length > 1;

/** pageNumber is the current page, from 1. */
export const pageNumber = (p: Pager): number => p.history.length;

/** loaded records the cursor the server gave for the page after the current one. */
export function loaded(p: Pager, nextCursor: string | null | undefined): Pager {
  return { history: p.history, next: nextCursor ?? '' };
}

/** forward moves to the next page (unchanged at the end). */
export function forward(p: Pager): Pager {
  if (!canNext(p)) return p;
  return { history: [...p.history, p.next], next: '' };
}

/** back moves to the previous page (unchanged on the first). */
export function back(p: Pager): Pager {
  if (!canBack(p)) return p;
  return { history: p.history.slice(0, -1), next: '' };
}
