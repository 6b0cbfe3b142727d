import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../../worker/blueprints/condition';
import { type ConditionScope, compileCondition, evaluateCondition } from '../../../worker/blueprints/evaluateCondition';

const order: ConditionScope = {
  properties: {
    order_id: 'ORD-1001',
    revenue: 120,
    currency: 'GBP',
    coupon: null,
    total: '89.99',
    tags: ['sale', 'summer'],
    'Order ID': 'A-1',
    product: { price: 30, sku: 'SKU-1' },
    products: [{ sku: 'A' }, { sku: 'B' }],
    first_order: true,
    note: "O'Brien",
  },
  traits: { email: 'jane@example.com', plan: 'pro' },
  message: { type: 'track', event: 'Order Completed', userId: 'u_8842', anonymousId: null, context: { page: { path: '/checkout' } } },
};

const matches = (condition: string, scope = order) => evaluateCondition(compileCondition(condition), scope);

describe('filters: conditions that hold or not for an order (revenue 120 GBP, no coupon)', () => {
  it.each([
    ["revenue >= 100 AND currency = 'GBP'", true],
    ["revenue >= 200 AND currency = 'GBP'", false],
    ["revenue > 120", false],
    ['revenue > 119.5', true],
    ['revenue < 120', false],
    ['revenue <= 120', true],
    ['revenue = 120', true],
    ['revenue != 120', false],
    ['revenue <> 121', true],
    ['revenue == 120', true],
    ["currency != 'USD'", true],
    ["currency = 'gbp'", false], // string comparison is exact
    ['coupon = null', true],
    ['coupon != null', false],
    ['coupon IS NULL', true],
    ['coupon is not null', false],
    ['missing_property = null', true],
    ["missing_property != 'x'", true],
    ["missing_property = 'x'", false],
    ['missing_property > 0', false],
    ['total > 50', true], // numeric strings compare as numbers against a number
    ["total = '89.99'", true],
    ["order_id = 'ORD-1001' OR revenue > 1000", true],
    ["(currency = 'USD' OR currency = 'GBP') AND revenue > 100", true],
    ["currency = 'USD' OR currency = 'EUR' AND revenue > 100", false], // AND binds tighter than OR
    ["currency = 'GBP' OR currency = 'EUR' AND revenue > 1000", true],
    ["NOT currency = 'USD'", true],
    ["NOT (currency = 'GBP' AND revenue > 100)", false],
    ["tags = 'sale'", true], // arrays: any element
    ["tags != 'sale'", false],
    ["tags = 'winter'", false],
    ['product.price < 50', true],
    ["products.1.sku = 'B'", true],
    ["`Order ID` = 'A-1'", true],
    ['first_order = true', true],
    ['first_order = false', false],
    ["note = 'O''Brien'", true],
    ["$traits.plan = 'pro'", true],
    ["$traits.email != null AND $userId = 'u_8842'", true],
    ["$context.page.path = '/checkout'", true],
    ["$event = 'Order Completed'", true],
    ['$anonymousId = null', true],
    ["$properties.currency = 'GBP'", true],
    ["currency > 'A'", true], // strings order lexicographically (ISO dates work)
    ['revenue >= -5', true],
    ['revenue >= 1e2', true],
  ])('%s → %s', (condition, expected) => {
    expect(matches(condition)).toBe(expected);
  });
});

describe('filters: malformed conditions are refused at load with the column and the reason', () => {
  it.each([
    ['', 'column 1: the condition is empty'],
    ["currency = 'GBP", "column 12: unterminated string starting here (strings end with ')"],
    ['currency = "GBP"', "column 12: strings use single quotes: 'like this'"],
    ["revenue >= 100 AND", 'column 16: expected a condition after AND'],
    ["revenue >= 100 OR", 'column 16: expected a condition after OR'],
    ["revenue >= 100 AND OR currency = 'GBP'", 'column 20: expected a condition after AND'],
    ['revenue >=', 'column 9: expected a value after >=, found the end of the condition'],
    ['revenue >= AND', 'column 12: expected a value after >=, found "AND"'],
    ['revenue 100', 'column 9: expected an operator (= != > < >= <=) or IS NULL after revenue, found "100"'],
    ['revenue', 'column 8: expected an operator (= != > < >= <=) or IS NULL after revenue, found the end of the condition'],
    ["(currency = 'GBP'", 'column 18: missing ")" for the "(" at column 1'],
    ["currency = 'GBP')", 'column 17: ")" without a matching "("'],
    ['()', 'column 2: empty parentheses'],
    ['revenue > null', 'column 11: null can only be compared with = or !='],
    ['first_order > true', 'column 15: true/false can only be compared with = or !='],
    ['currency = GBP', "column 12: expected a value after =, found the name GBP (strings need single quotes: 'GBP')"],
    ["100 < revenue", 'column 1: expected a field name before 100; write field = value'],
    ['revenue IS 5', 'column 12: expected NULL after IS'],
    ["currency = 'GBP' revenue > 1", 'column 18: expected AND, OR or the end of the condition, found "revenue"'],
    ['revenue ! 5', 'column 9: unexpected character "!"'],
    ['`Order ID = 1', 'column 1: unterminated `quoted name`'],
    ['NOT', 'column 1: expected a condition after NOT'],
  ])('%j', (condition, error) => {
    const parsed = parseCondition(condition);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toBe(error);
  });

  it('compileCondition refuses malformed text rather than guessing', () => {
    expect(() => compileCondition('revenue >=')).toThrow(SyntaxError);
  });
});
