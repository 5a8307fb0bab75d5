import { describe, expect, it } from 'vitest';
import { back, canBack, canNext, current, firstPage, forward, loaded, pageNumber } from './paging';

describe('pager', () => {
  it('starts on page 1 with the empty cursor and nowhere to go', () => {
    const p = firstPage();
    expect(current(p)).toBe('');
    expect(pageNumber(p)).toBe(1);
    expect(canBack(p)).toBe(false);
    expect(canNext(p)).toBe(false);
  });

  it('walks forward with the server’s cursors and back through them', () => {
    let p = loaded(firstPage(), 'rkeyA');
    expect(canNext(p)).toBe(true);
    p = forward(p);
    expect(current(p)).toBe('rkeyA');
    expect(pageNumber(p)).toBe(2);
    expect(canNext(p)).toBe(false); // until page 2 is loaded
    p = loaded(p, 'rkeyB');
    p = forward(p);
    expect(current(p)).toBe('rkeyB');
    p = loaded(p, ''); // the last page
    expect(canNext(p)).toBe(false);
    expect(forward(p)).toBe(p);
    p = back(p);
    expect(current(p)).toBe('rkeyA');
    expect(pageNumber(p)).toBe(2);
    p = back(p);
    expect(current(p)).toBe('');
    expect(canBack(p)).toBe(false);
    expect(back(p)).toBe(p);
  });

  it('does not change the cursor when a page loads (no refetch loop)', () => {
    const p = forward(loaded(firstPage(), 'x'));
    const q = loaded(p, 'y');
    expect(current(q)).toBe(current(p));
    expect(q.history).toBe(p.history);
  });

  it('reads a missing cursor as the end', () => {
    expect(canNext(loaded(firstPage(), undefined))).toBe(false);
    expect(canNext(loaded(firstPage(), null))).toBe(false);
  });
});
