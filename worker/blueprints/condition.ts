/**
 * The filter language of blueprint events (CleverTap-style, seed 002):
 *
 *   revenue >= 100 AND currency = 'GBP'
 *   (plan = 'pro' OR plan = 'team') AND coupon != null
 *   NOT $context.page.path = '/admin' AND `Order ID` IS NOT NULL
 *
 * Parsed once at config load (a malformed condition is a config error naming the column), evaluated
 * per event by evaluateCondition.ts. Hand-written recursive descent: no eval, no regex backtracking
 * over user input beyond single tokens.
 */

export type Comparator = '=' | '!=' | '>' | '<' | '>=' | '<=';
export type Literal = string | number | boolean | null;

export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; path: string[]; op: Comparator; value: Literal };

export type ParsedCondition = { ok: true; condition: Condition } | { ok: false; error: string };

type Token =
  | { type: 'path'; segments: string[]; text: string; at: number }
  | { type: 'string' | 'number'; value: string | number; text: string; at: number }
  | { type: 'keyword'; word: 'AND' | 'OR' | 'NOT' | 'IS' | 'NULL' | 'TRUE' | 'FALSE'; text: string; at: number }
  | { type: 'op'; op: Comparator; text: string; at: number }
  | { type: '(' | ')'; text: string; at: number }
  | { type: 'end'; text: string; at: number };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'TRUE', 'FALSE']);
const OPERATORS: [string, Comparator][] = [
  ['>=', '>='],
  ['<=', '<='],
  ['!=', '!='],
  ['<>', '!='],
  ['==', '='],
  ['=', '='],
  ['>', '>'],
  ['<', '<'],
];
const IDENT_START = /[A-Za-z_$]/;
const IDENT = /[A-Za-z0-9_$\-]/;

class ConditionSyntaxError extends Error {
  constructor(message: string, at: number) {
    super(`column ${at + 1}: ${message}`);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === '(' || c === ')') {
      tokens.push({ type: c, text: c, at });
      i++;
      continue;
    }
    const op = OPERATORS.find(([symbol]) => text.startsWith(symbol, i));
    if (op) {
      tokens.push({ type: 'op', op: op[1], text: op[0], at });
      i += op[0].length;
      continue;
    }
    if (c === "'") {
      // SQL style: a quote inside a string is doubled ('O''Brien').
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ConditionSyntaxError(`unterminated string starting here (strings end with ')`, at);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ type: 'string', value, text: text.slice(at, i), at });
      continue;
    }
    if (c === '"') throw new ConditionSyntaxError(`strings use single quotes: 'like this'`, at);
    const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (number && (c !== '-' || /[\d.]/.test(text[i + 1] ?? ''))) {
      tokens.push({ type: 'number', value: Number(number[0]), text: number[0], at });
      i += number[0].length;
      continue;
    }
    if (IDENT_START.test(c) || c === '`') {
      const segments: string[] = [];
      for (;;) {
        if (text[i] === '`') {
          const close = text.indexOf('`', i + 1);
          if (close < 0) throw new ConditionSyntaxError('unterminated `quoted name`', i);
          if (close === i + 1) throw new ConditionSyntaxError('empty `quoted name`', i);
          segments.push(text.slice(i + 1, close));
          i = close + 1;
        } else {
          const start = i;
          while (i < text.length && IDENT.test(text[i] as string)) i++;
          if (i === start) throw new ConditionSyntaxError(`expected a field name after "."`, i);
          segments.push(text.slice(start, i));
        }
        if (text[i] !== '.') break;
        i++;
      }
      const word = segments.length === 1 && !text.slice(at, i).startsWith('`') ? (segments[0] as string).toUpperCase() : '';
      if (KEYWORDS.has(word)) tokens.push({ type: 'keyword', word: word as never, text: text.slice(at, i), at });
      else tokens.push({ type: 'path', segments, text: text.slice(at, i), at });
      continue;
    }
    throw new ConditionSyntaxError(`unexpected character ${JSON.stringify(c)}`, at);
  }
  tokens.push({ type: 'end', text: '', at: text.length });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }
  private next(): Token {
    return this.tokens[this.index++] as Token;
  }
  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.type === 'keyword' && t.word === word;
  }

  parse(): Condition {
    if (this.peek().type === 'end') throw new ConditionSyntaxError('the condition is empty', 0);
    const condition = this.or();
    const rest = this.peek();
    if (rest.type === ')') throw new ConditionSyntaxError(`")" without a matching "("`, rest.at);
    if (rest.type !== 'end') throw new ConditionSyntaxError(`expected AND, OR or the end of the condition, found "${rest.text}"`, rest.at);
    return condition;
  }

  private or(): Condition {
    let left = this.and();
    while (this.isKeyword('OR')) {
      const op = this.next();
      left = { kind: 'or', left, right: this.operand(op) };
    }
    return left;
  }

  private and(): Condition {
    let left = this.unary();
    while (this.isKeyword('AND')) {
      const op = this.next();
      const right = this.operand(op, () => this.unary());
      left = { kind: 'and', left, right };
    }
    return left;
  }

  /** The right side of AND/OR, with a precise message when it is missing ("trailing AND"). */
  private operand(op: Token, parse: () => Condition = () => this.and()): Condition {
    const t = this.peek();
    if (t.type === 'end' || t.type === ')' || (t.type === 'keyword' && (t.word === 'AND' || t.word === 'OR'))) {
      throw new ConditionSyntaxError(`expected a condition after ${op.text.toUpperCase()}`, t.type === 'end' ? op.at : t.at);
    }
    return parse();
  }

  private unary(): Condition {
    if (this.isKeyword('NOT')) {
      const op = this.next();
      return { kind: 'not', operand: this.operand(op, () => this.unary()) };
    }
    return this.primary();
  }

  private primary(): Condition {
    const t = this.next();
    if (t.type === '(') {
      if (this.peek().type === ')') throw new ConditionSyntaxError('empty parentheses', this.peek().at);
      const inner = this.or();
      const close = this.next();
      if (close.type !== ')') {
        throw new ConditionSyntaxError(close.type === 'end' ? `missing ")" for the "(" at column ${t.at + 1}` : `expected ")", found "${close.text}"`, close.at);
      }
      return inner;
    }
    if (t.type === 'path') return this.comparison(t);
    if (t.type === 'end') throw new ConditionSyntaxError('the condition ends too early', t.at);
    if (t.type === 'string' || t.type === 'number') {
      throw new ConditionSyntaxError(`expected a field name before ${t.text}; write field = value`, t.at);
    }
    throw new ConditionSyntaxError(`expected a field name or "(", found "${t.text}"`, t.at);
  }

  private comparison(field: Token & { type: 'path' }): Condition {
    const path = field.segments;
    const t = this.next();
    if (t.type === 'keyword' && t.word === 'IS') {
      const negate = this.isKeyword('NOT');
      if (negate) this.next();
      const n = this.next();
      if (!(n.type === 'keyword' && n.word === 'NULL')) throw new ConditionSyntaxError(`expected NULL after IS${negate ? ' NOT' : ''}`, n.at);
      return { kind: 'compare', path, op: negate ? '!=' : '=', value: null };
    }
    if (t.type !== 'op') {
      const found = t.type === 'end' ? 'the end of the condition' : `"${t.text}"`;
      throw new ConditionSyntaxError(`expected an operator (= != > < >= <=) or IS NULL after ${field.text}, found ${found}`, t.at);
    }
    const v = this.next();
    let value: Literal;
    if (v.type === 'string' || v.type === 'number') value = v.value;
    else if (v.type === 'keyword' && v.word === 'NULL') value = null;
    else if (v.type === 'keyword' && (v.word === 'TRUE' || v.word === 'FALSE')) value = v.word === 'TRUE';
    else if (v.type === 'path') throw new ConditionSyntaxError(`expected a value after ${t.text}, found the name ${v.text} (strings need single quotes: '${v.text}')`, v.at);
    else throw new ConditionSyntaxError(`expected a value after ${t.text}, found ${v.type === 'end' ? 'the end of the condition' : `"${v.text}"`}`, v.type === 'end' ? t.at : v.at);
    if (value === null && t.op !== '=' && t.op !== '!=') throw new ConditionSyntaxError(`null can only be compared with = or !=`, v.at);
    if (typeof value === 'boolean' && t.op !== '=' && t.op !== '!=') throw new ConditionSyntaxError(`true/false can only be compared with = or !=`, v.at);
    return { kind: 'compare', path, op: t.op, value };
  }
}

/** Parses a condition; the error names the column and what was expected. */
export function parseCondition(text: string): ParsedCondition {
  try {
    return { ok: true, condition: new Parser(tokenize(text)).parse() };
  } catch (error) {
    if (error instanceof ConditionSyntaxError) return { ok: false, error: error.message };
    throw error;
  }
}
