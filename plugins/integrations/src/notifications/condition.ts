import { lookup } from './template.js';

/** A parsed rule condition: `payload.total >= 10000`, `payload.customer.email contains "@acme.com"`. */
export interface Condition {
  path: string;
  op: '==' | '!=' | '>' | '>=' | '<' | '<=' | 'contains';
  value: string | number | boolean | null;
}

const SYNTAX = /^\s*(payload(?:\.[A-Za-z0-9_-]+)+)\s*(==|!=|>=|<=|>|<|contains)\s*(.+?)\s*$/;

/** Parses a condition, or returns why it cannot (shown to the member as a field error). */
export function parseCondition(text: string): Condition | string {
  const match = SYNTAX.exec(text);
  if (!match) return 'must read `payload.<path> <op> <value>`, with op one of == != > >= < <= contains';
  let value: unknown;
  try {
    value = JSON.parse(match[3]!);
  } catch {
    return 'the value must be a number, a "quoted string", true, false or null';
  }
  if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) return 'the value must be a number, a "quoted string", true, false or null';
  const op = match[2] as Condition['op'];
  if (['>', '>=', '<', '<='].includes(op) && typeof value !== 'number') return `${op} compares numbers`;
  return { path: match[1]!, op, value: value as Condition['value'] };
}

/** Whether the event (`{ payload }`) matches; a missing field matches nothing but `!=`. */
export function matches(condition: Condition, event: { payload: unknown }): boolean {
  const actual = lookup(event, condition.path);
  switch (condition.op) {
    case '==':
      return actual === condition.value;
    case '!=':
      return actual !== condition.value;
    case 'contains':
      if (typeof actual === 'string') return typeof condition.value === 'string' && actual.includes(condition.value);
      return Array.isArray(actual) && actual.includes(condition.value);
    default: {
      if (typeof actual !== 'number' || typeof condition.value !== 'number') return false;
      const limit = condition.value;
      return { '>': actual > limit, '>=': actual >= limit, '<': actual < limit, '<=': actual <= limit }[condition.op];
    }
  }
}
