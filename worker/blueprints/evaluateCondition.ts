import { type Comparator, type Condition, type Literal, parseCondition } from './condition';
import { valueAt } from './path';

/**
 * What a condition's names refer to. A bare name is an event property as the site sent it (before
 * the blueprint's renames): `revenue`, `product.price`, `products.0.sku`. Names starting with `$`
 * reach the rest of the message: `$traits.email`, `$context.page.path`, `$userId`, `$anonymousId`,
 * `$event`, `$type`, `$name`.
 */
export interface ConditionScope {
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  message: Record<string, unknown>;
}

function resolve(path: string[], scope: ConditionScope): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  if (!head.startsWith('$')) return valueAt(scope.properties, path);
  const root = head.slice(1);
  if (root === 'traits') return valueAt(scope.traits, rest);
  if (root === 'properties') return valueAt(scope.properties, rest);
  return valueAt(scope.message, [root, ...rest]);
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  // Sites often send numbers as strings ("89.99"); compare them as numbers when the literal is one.
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function order(value: unknown, literal: Exclude<Literal, null | boolean>): number | undefined {
  if (typeof literal === 'number') {
    const n = numeric(value);
    return n === undefined ? undefined : n - literal;
  }
  if (typeof value === 'string') return value < literal ? -1 : value > literal ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'boolean') {
    const s = String(value);
    return s < literal ? -1 : s > literal ? 1 : 0;
  }
  return undefined;
}

/** One value against one literal; `=` on a missing value is false, `!=` is always the negation of `=`. */
function compareOne(value: unknown, op: Comparator, literal: Literal): boolean {
  if (literal === null) return op === '=' ? value == null : value != null;
  if (typeof literal === 'boolean') {
    const equal = value === literal || value === String(literal);
    return op === '=' ? equal : !equal;
  }
  if (op === '!=') return !compareOne(value, '=', literal);
  if (value == null) return false;
  const diff = order(value, literal);
  if (diff === undefined) return false;
  switch (op) {
    case '=':
      return diff === 0;
    case '>':
      return diff > 0;
    case '<':
      return diff < 0;
    case '>=':
      return diff >= 0;
    case '<=':
      return diff <= 0;
  }
}

export function evaluateCondition(condition: Condition, scope: ConditionScope): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, scope) && evaluateCondition(condition.right, scope);
    case 'or':
      return evaluateCondition(condition.left, scope) || evaluateCondition(condition.right, scope);
    case 'not':
      return !evaluateCondition(condition.operand, scope);
    case 'compare': {
      const value = resolve(condition.path, scope);
      // An array matches `=` when any element does (tags = 'sale'); `!=` when none does.
      if (Array.isArray(value) && condition.value !== null) {
        const any = value.some((v) => compareOne(v, condition.op === '!=' ? '=' : condition.op, condition.value));
        return condition.op === '!=' ? !any : any;
      }
      return compareOne(value, condition.op, condition.value);
    }
  }
}

const compiled = new Map<string, Condition>();

/**
 * The parsed form of a blueprint's filter text. Blueprints are validated at config load (so a
 * malformed filter never gets here); parsing again is only a cache miss.
 */
export function compileCondition(text: string): Condition {
  let condition = compiled.get(text);
  if (!condition) {
    const parsed = parseCondition(text);
    if (!parsed.ok) throw new SyntaxError(`filter "${text}": ${parsed.error}`);
    condition = parsed.condition;
    if (compiled.size > 1000) compiled.clear();
    compiled.set(text, condition);
  }
  return condition;
}
