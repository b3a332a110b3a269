import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EVERYTHING,
  NOTHING,
  matches,
  newRequirement,
  parseSelector,
  selectorFromLabelSelector,
  selectorFromSet,
  selectorToString,
  type Labels,
  type Requirement,
  type Selector,
  type SelectorOperator,
} from '../../src/api/labels.ts';
import { isQualifiedName, isValidLabelValue } from '../../src/api/validation/rules.ts';

const numRuns = Number(process.env.FC_NUM_RUNS ?? 100);

const KEY_ERR =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('parseSelector', () => {
  it('parses every requirement form and prints them sorted by key', () => {
    const sel = parseSelector('app=web,tier!=db,env in (prod,staging),!canary,release');
    expect(selectorToString(sel)).toBe('app=web,!canary,env in (prod,staging),release,tier!=db');
    expect(matches(sel, { app: 'web', tier: 'fe', env: 'prod', release: 'r1' })).toBe(true);
    expect(matches(sel, { app: 'web', tier: 'db', env: 'prod', release: 'r1' })).toBe(false);
    expect(matches(sel, { app: 'web', env: 'prod', release: 'r1', canary: 'true' })).toBe(false);
    expect(matches(sel, { app: 'web', env: 'dev', release: 'r1' })).toBe(false);
    expect(matches(sel, { app: 'web', env: 'prod' })).toBe(false);
  });

  it('handles whitespace, ==, notin, empty values and keywords used as values', () => {
    const sel = parseSelector(' a == b , c notin ( x , y ) , d= , e in (in,notin) ');
    expect(selectorToString(sel)).toBe('a==b,c notin (x,y),d=,e in (in,notin)');
    expect(matches(sel, { a: 'b', d: '', e: 'in' })).toBe(true);
    expect(matches(sel, { a: 'b', c: 'x', d: '', e: 'in' })).toBe(false);
    expect(selectorToString(parseSelector('x in ()'))).toBe('x in ()');
    expect(selectorToString(parseSelector('x in (b,a,a)'))).toBe('x in (a,b)');
  });

  it('supports gt/lt on integer label values', () => {
    const sel = parseSelector('rank>5,size<10');
    expect(selectorToString(sel)).toBe('rank>5,size<10');
    expect(matches(sel, { rank: '6', size: '9' })).toBe(true);
    expect(matches(sel, { rank: '5', size: '9' })).toBe(false);
    expect(matches(sel, { rank: 'x', size: '9' })).toBe(false);
  });

  it('treats the empty string as everything', () => {
    expect(parseSelector('')).toEqual(EVERYTHING);
    expect(matches(parseSelector(''), {})).toBe(true);
  });

  it.each([
    ['a$', `unable to parse requirement: <nil>: Invalid value: "a$": ${KEY_ERR}`],
    ['app=a$b', `unable to parse requirement: values[0][app]: Invalid value: "a$b": ${VALUE_ERR}`],
    ['x in', "unable to parse requirement: found '' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x,', "found '', expected: identifier after ','"],
    ['x=a=b', "found '=', expected: ',' or 'end of string'"],
    ['!x=y', "found '=', expected: ',' or 'end of string'"],
    ['x notin (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['=x', "found '=', expected: !, identifier, or 'end of string'"],
    ['x y', "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"],
    ['x >', `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x=!', "unable to parse requirement: found '!', expected: identifier"],
  ])('rejects %j: %s', (input, message) => {
    expect(() => parseSelector(input)).toThrow(message);
  });
});

describe('metav1.LabelSelector conversion', () => {
  it('converts matchLabels and matchExpressions', () => {
    const sel = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
      ],
    });
    expect(selectorToString(sel)).toBe('app=web,!canary,env notin (dev),tier in (be,fe),zone');
    expect(matches(sel, { app: 'web', tier: 'fe', zone: 'a' })).toBe(true);
  });

  it('nil selects nothing and empty selects everything', () => {
    expect(selectorFromLabelSelector(undefined)).toEqual(NOTHING);
    expect(matches(NOTHING, {})).toBe(false);
    expect(selectorFromLabelSelector({})).toEqual(EVERYTHING);
    expect(matches(selectorFromLabelSelector({ matchLabels: {} }), { any: 'thing' })).toBe(true);
  });

  it('rejects bad operators and arities with Go texts', () => {
    expect(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Equals' }] })).toThrow(
      '"Equals" is not a valid label selector operator',
    );
    expect(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] })).toThrow(
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    );
    expect(() => parseSelector('a>-1')).toThrow('unable to parse requirement: values[0][a]: Invalid value: "-1"');
    expect(() => newRequirement('a', 'exists', ['x'])).toThrow(
      'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    );
  });

  it('selectorFromSet is exact equality', () => {
    const sel = selectorFromSet({ b: '2', a: '1' });
    expect(selectorToString(sel)).toBe('a=1,b=2');
    expect(matches(sel, { a: '1', b: '2', c: '3' })).toBe(true);
    expect(matches(sel, { a: '1' })).toBe(false);
  });
});

describe('label key and value validation', () => {
  it('enforces qualified names with optional DNS prefixes', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('a'.repeat(64))).toEqual([
      'name part must be no more than 63 characters',
    ]);
    expect(isQualifiedName('/a')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of/);
    expect(isQualifiedName('Example.com/a')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('x'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(isValidLabelValue('-x')).toEqual([VALUE_ERR]);
  });
});

// ---- properties --------------------------------------------------------------------------

const keyArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,8}[a-z0-9])?$/),
  fc.constantFrom('app', 'tier', 'in', 'notin', 'example.com/team', 'k8s.io/x'),
);
const valueArb = fc.oneof(fc.constantFrom('', 'a', 'in', 'notin', 'prod', 'x-1'), fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,6}[A-Za-z0-9])?$/));
// Negative bounds parse as integers but fail label-value validation, exactly as upstream.
const intArb = fc.integer({ min: 0, max: 1000 }).map(String);

const requirementArb: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key: keyArb, operator: fc.constantFrom<SelectorOperator>('=', '==', '!='), values: valueArb.map((v) => [v]) }),
  fc.record({
    key: keyArb,
    operator: fc.constantFrom<SelectorOperator>('in', 'notin'),
    values: fc.uniqueArray(valueArb, { minLength: 1, maxLength: 4 }).map((vs) => [...vs].sort()),
  }),
  fc.record({ key: keyArb, operator: fc.constantFrom<SelectorOperator>('exists', '!'), values: fc.constant([]) }),
  fc.record({ key: keyArb, operator: fc.constantFrom<SelectorOperator>('gt', 'lt'), values: intArb.map((v) => [v]) }),
);

const selectorArb: fc.Arbitrary<Selector> = fc
  .array(requirementArb, { maxLength: 5 })
  .map((reqs) => ({ kind: 'requirements', requirements: [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) }));

const labelsArb: fc.Arbitrary<Labels> = fc.dictionary(keyArb, fc.oneof(valueArb, intArb), { maxKeys: 6 });

/** Straight from the documented semantics, independent of the implementation. */
function referenceMatches(sel: Selector, labels: Labels): boolean {
  if (sel.kind === 'nothing') return false;
  return sel.requirements.every(({ key, operator, values }) => {
    const present = Object.keys(labels).includes(key);
    const value = labels[key];
    switch (operator) {
      case '=':
      case '==':
      case 'in':
        return present && values.includes(value);
      case '!=':
      case 'notin':
        return !present || !values.includes(value);
      case 'exists':
        return present;
      case '!':
        return !present;
      case 'gt':
        return present && /^-?\d+$/.test(value) && Number(value) > Number(values[0]);
      case 'lt':
        return present && /^-?\d+$/.test(value) && Number(value) < Number(values[0]);
    }
  });
}

describe('selector properties', () => {
  it('parse(toString(s)) reproduces s', () => {
    fc.assert(
      fc.property(selectorArb, (sel) => {
        const text = selectorToString(sel);
        const parsed = parseSelector(text);
        expect(parsed).toEqual(sel);
        expect(selectorToString(parsed)).toBe(text);
      }),
      { numRuns },
    );
  });

  it('matching agrees with a reference evaluator', () => {
    fc.assert(
      fc.property(selectorArb, labelsArb, (sel, labels) => {
        expect(matches(sel, labels)).toBe(referenceMatches(sel, labels));
      }),
      { numRuns },
    );
  });

  it('a selector built from a set matches exactly its supersets', () => {
    fc.assert(
      fc.property(labelsArb, labelsArb, (set, extra) => {
        expect(matches(selectorFromSet(set), { ...extra, ...set })).toBe(true);
      }),
      { numRuns },
    );
  });
});
