import { formatValue, propertyLabel } from '../format.js';
import type { Predicate } from '../rule-model.js';

type Props = Readonly<Record<string, unknown>>;

/**
 * Whether `p` holds for these properties. `margin` widens numeric thresholds toward the firing side
 * (x > 100 with margin 5 holds from 95): "still near the threshold", the hysteresis band of auto-resolve.
 * A missing property never satisfies a comparison (nor != / not_in: absence is not evidence).
 */
export function holds(p: Predicate, props: Props, margin = 0): boolean {
  const x = props[p.property];
  switch (p.op) {
    case 'exists':
      return x !== undefined && x !== null;
    case '>':
      return typeof x === 'number' && x > (p.value as number) - margin;
    case '>=':
      return typeof x === 'number' && x >= (p.value as number) - margin;
    case '<':
      return typeof x === 'number' && x < (p.value as number) + margin;
    case '<=':
      return typeof x === 'number' && x <= (p.value as number) + margin;
    case '==':
      return x === p.value;
    case '!=':
      return x !== undefined && x !== null && x !== p.value;
    case 'in':
      return (p.value as unknown[]).includes(x);
    case 'not_in':
      return x !== undefined && x !== null && !(p.value as unknown[]).includes(x);
  }
}

export const allHold = (list: readonly Predicate[] | undefined, props: Props, margin = 0): boolean =>
  !list || list.every((p) => holds(p, props, margin));

export const anyHolds = (list: readonly Predicate[] | undefined, props: Props): boolean =>
  !list?.length || list.some((p) => holds(p, props));

/** A numeric threshold with the margin applied toward the firing side. */
export function compareNumber(x: number, op: '>' | '>=' | '<' | '<=', value: number, margin = 0): boolean {
  switch (op) {
    case '>':
      return x > value - margin;
    case '>=':
      return x >= value - margin;
    case '<':
      return x < value + margin;
    case '<=':
      return x <= value + margin;
  }
}

const opText: Record<Predicate['op'], string> = {
  '>': '>',
  '>=': '≥',
  '<': '<',
  '<=': '≤',
  '==': 'is',
  '!=': 'is not',
  in: 'is one of',
  not_in: 'is none of',
  exists: 'is reported',
};

/** `impact amount $12,500 > $10,000`, `status is delayed`: why a predicate held, in words, with the value. */
export function explain(p: Predicate, props: Props): string {
  const name = propertyLabel(p.property);
  const actual = props[p.property];
  if (p.op === 'exists') return `${name} ${formatValue(p.property, actual)} is reported`;
  if (p.op === '==' || p.op === 'in') return `${name} is ${formatValue(p.property, actual)}`;
  const expected = Array.isArray(p.value) ? p.value.join(', ') : formatValue(p.property, p.value);
  return `${name} ${formatValue(p.property, actual)} ${opText[p.op]} ${expected}`;
}
