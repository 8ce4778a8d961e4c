import { describe, expect, it } from 'vitest';
import { nextKeyset, pageEvents } from './posthog-rows.js';

const range = { from: '2024-01-01T00:00:00.000000Z', to: '2024-02-01T00:00:00.000000Z', events: [] };
const columns = ['uuid', 'event', 'distinct_id', 'timestamp', 'properties'];
const uuid = '0191a2b3-0000-4000-8000-000000000001';

describe('pageEvents', () => {
  it('turns rows into capture events by column name, in UTC with microseconds', () => {
    const events = pageEvents(
      {
        columns: ['timestamp', ...columns.filter((c) => c !== 'timestamp')],
        results: [['2024-01-10T05:00:00.000007-05:00', uuid, 'signup', 'd1', '{"plan":"pro"}']],
      },
      range,
    );
    expect(events).toEqual([
      {
        uuid,
        event: 'signup',
        distinct_id: 'd1',
        timestamp: '2024-01-10T10:00:00.000007Z',
        properties: { plan: 'pro' },
      },
    ]);
  });

  it('says which row is wrong and why', () => {
    const page = (row: unknown[]) => () => pageEvents({ columns, results: [row] }, range);
    expect(page(['nope', 'e', 'd', '2024-01-10T00:00:00Z', '{}'])).toThrow(
      'row 1 of the page: uuid "nope" is not a UUID',
    );
    expect(page([uuid, 'e', 'd', '2023-12-31T23:59:59Z', '{}'])).toThrow(/outside the range asked for/);
    expect(page([uuid, 'e', 'd', 'soon', '{}'])).toThrow(/timestamp "soon" is not an ISO 8601 time/);
    expect(page([uuid, 'e', 'd', '2024-01-10T00:00:00Z', '{bad'])).toThrow(
      `(uuid ${uuid}): properties are not JSON`,
    );
    expect(page([uuid, 'e', 'd', '2024-01-10T00:00:00Z', '[1]'])).toThrow(/not a JSON object/);
    expect(() => pageEvents({ columns: ['uuid'], results: [] }, range)).toThrow(
      /lacks the column\(s\) event/,
    );
  });
});

describe('nextKeyset', () => {
  const event = (timestamp: string, id = uuid) => ({
    uuid: id,
    event: 'e',
    distinct_id: 'd',
    timestamp,
    properties: {},
  });
  const after = { timestamp: '2024-01-10T00:00:00.000000Z', uuid };

  it('moves to the last row of the page, or stays on an empty page', () => {
    expect(nextKeyset([event('2024-01-11T00:00:00.000000Z')], after)).toEqual({
      timestamp: '2024-01-11T00:00:00.000000Z',
      uuid,
    });
    expect(nextKeyset([], after)).toBe(after);
  });

  it('refuses a page that does not move forward', () => {
    expect(() => nextKeyset([event(after.timestamp)], after)).toThrow(/does not move past/);
    expect(() => nextKeyset([event('2024-01-09T00:00:00.000000Z')], after)).toThrow(/does not move past/);
  });
});
