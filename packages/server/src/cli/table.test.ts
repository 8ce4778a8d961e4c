import { describe, expect, it } from 'vitest';
import { formatTable } from './table.js';

const rows = [
  {
    id: 'a1',
    title: 'Revenue loss of $25,000 for acme since 09:14, 3 refunds',
    amount: '$25,000',
  },
  { id: 'b2', title: 'Bounce rate 7.5 % for globex', amount: '$0' },
];

describe('formatTable', () => {
  it('says so when there are no rows', () => {
    expect(formatTable([], ['id'])).toBe('Nothing to show.');
    expect(formatTable([], ['id'], { empty: 'No alerts match these filters.' })).toBe(
      'No alerts match these filters.',
    );
  });

  it('fits the width by shortening the widest columns, marking cut cells with …', () => {
    const text = formatTable(rows, ['id', 'title', 'amount'], { width: 42 });
    const lines = text.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(42);
    expect(lines[2]).toMatch(/^a1 {2}Revenue loss of .*… {2}\$25,000$/);
    expect(lines[3]).toMatch(/^b2 {2}Bounce rate 7\.5 % for globex/);
  });

  it('keeps full cells when the width allows', () => {
    const text = formatTable(rows, ['id', 'title', 'amount'], { width: 200 });
    expect(text).toContain(rows[0]?.title);
  });
});
