import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

describe('toCsv', () => {
  it('quotes out text that starts a formula, and only text', () => {
    const csv = toCsv(
      ['text', 'number'],
      [
        ['=HYPERLINK("http://x","y")', -5],
        ['+1', 1.5],
        ['-2+3', -0.25],
        ['@SUM(1)', 10n],
        ['\t=1', 0],
        ['\r=1', null],
        ['-5', undefined],
        ['＝1', 3], // full-width =
      ],
    );
    expect(csv.split('\r\n')).toEqual([
      'text,number',
      `"'=HYPERLINK(""http://x"",""y"")",-5`,
      "'+1,1.5",
      "'-2+3,-0.25",
      "'@SUM(1),10",
      "'\t=1,0",
      `"'\r=1",`,
      "'-5,",
      "'＝1,3",
      '',
    ]);
  });

  it('writes booleans, dates and objects as text, quoting commas, quotes and line breaks', () => {
    const csv = toCsv(
      ['a', 'b', 'c', 'd'],
      [[true, new Date(Date.UTC(2026, 0, 2)), { k: 'v,w' }, 'two\nlines']],
    );
    expect(csv).toBe('a,b,c,d\r\ntrue,2026-01-02T00:00:00.000Z,"{""k"":""v,w""}","two\nlines"\r\n');
  });
});
