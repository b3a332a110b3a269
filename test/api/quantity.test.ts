import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ERR_FORMAT_WRONG,
  addQuantities,
  canonicalQuantityString,
  compareQuantities,
  normalizeQuantity,
  parseQuantity,
  quantityFromMilli,
  quantityFromValue,
  quantityMilliValue,
  quantityToString,
  quantityValue,
  roundUpToMilli,
  subtractQuantities,
  type Quantity,
  type QuantityFormat,
} from '../../src/api/quantity.ts';

const numRuns = Number(process.env.FC_NUM_RUNS ?? 100);

describe('parseQuantity / quantityToString: what the API stores', () => {
  it.each([
    ['500m', '500m'],
    ['1', '1'],
    ['1.5', '1500m'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['2Gi', '2Gi'],
    ['512Mi', '512Mi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['100Ki', '100Ki'],
    ['0.5Ki', '512'], // binary values below 1Ki print as decimals
    ['1e3', '1e3'],
    ['10e2', '1e3'],
    ['1.5e3', '1500'],
    ['12e6', '12e6'],
    ['1k', '1k'],
    ['1000', '1k'],
    ['1M', '1M'],
    ['0.1m', '100u'], // nano precision is kept, only resource lists round to milli
    ['1n', '1n'],
    ['0', '0'],
    ['-1.5Gi', '-1536Mi'],
  ])('%s is stored as %s', (input, stored) => {
    expect(quantityToString(parseQuantity(input))).toBe(stored);
  });

  it('echoes inputs Go caches verbatim, quirks included', () => {
    // ParseQuantity keeps the input string when its int64 fast path deems it canonical.
    expect(quantityToString(parseQuantity('+1'))).toBe('+1');
    expect(quantityToString(parseQuantity('1E3'))).toBe('1E3');
    expect(canonicalQuantityString(parseQuantity('+1'))).toBe('1');
    expect(canonicalQuantityString(parseQuantity('1E3'))).toBe('1e3');
  });

  it('is not idempotent for binary values off the 1Ki grid, as in Go', () => {
    expect(normalizeQuantity('312.5Ki')).toBe('320000');
    expect(normalizeQuantity('320000')).toBe('320k');
  });

  it('remembers the suffix family', () => {
    expect(parseQuantity('1Gi').format).toBe<QuantityFormat>('BinarySI');
    expect(parseQuantity('1G').format).toBe<QuantityFormat>('DecimalSI');
    expect(parseQuantity('1e9').format).toBe<QuantityFormat>('DecimalExponent');
  });

  it('caps binary quantities at 2^63-1 and rounds below a nano up', () => {
    expect(quantityToString(parseQuantity('8Ei'))).toBe('9223372036854775807');
    expect(parseQuantity('0.1n').nanos).toBe(1n);
    expect(parseQuantity('-0.1n').nanos).toBe(-1n);
    expect(parseQuantity('1e-20').nanos).toBe(1n);
  });

  it.each([
    ['', ERR_FORMAT_WRONG],
    ['abc', ERR_FORMAT_WRONG],
    ['1.5.5', ERR_FORMAT_WRONG],
    ['1 ', ERR_FORMAT_WRONG],
    ['1Ki5', "unable to parse quantity's suffix"],
    ['1e', "unable to parse quantity's suffix"],
    ['1Qi', ERR_FORMAT_WRONG],
    ['1KiB', ERR_FORMAT_WRONG],
    ['-.e-20', 'unable to parse numeric part of quantity'],
  ])('rejects %j with %s', (input, message) => {
    expect(() => parseQuantity(input)).toThrow(message);
  });

  it('uses the exact regex in the format error', () => {
    expect(ERR_FORMAT_WRONG).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });
});

describe('values and arithmetic', () => {
  it('converts to millicores and bytes exactly, rounding up', () => {
    expect(quantityMilliValue(parseQuantity('250m'))).toBe(250n);
    expect(quantityMilliValue(parseQuantity('1.5'))).toBe(1500n);
    expect(quantityMilliValue(parseQuantity('100u'))).toBe(1n);
    expect(quantityValue(parseQuantity('512Mi'))).toBe(536870912n);
    expect(quantityValue(parseQuantity('1G'))).toBe(1000000000n);
    expect(quantityValue(parseQuantity('1.5'))).toBe(2n);
    expect(quantityValue(parseQuantity('123456789012345678901234567890'))).toBe(123456789012345678901234567890n);
  });

  it('adds and subtracts keeping the left format unless it is zero', () => {
    const sum = addQuantities(parseQuantity('1Gi'), parseQuantity('512Mi'));
    expect(quantityToString(sum)).toBe('1536Mi');
    const fromZero = addQuantities(parseQuantity('0'), parseQuantity('1Ki'));
    expect(fromZero.format).toBe('BinarySI');
    expect(quantityToString(subtractQuantities(parseQuantity('1'), parseQuantity('250m')))).toBe('750m');
    expect(compareQuantities(parseQuantity('1'), parseQuantity('1000m'))).toBe(0);
    expect(compareQuantities(parseQuantity('1Ki'), parseQuantity('1k'))).toBe(1);
  });

  it('builds quantities from integers', () => {
    expect(quantityToString(quantityFromMilli(1500))).toBe('1500m');
    expect(quantityToString(quantityFromValue(1024, 'BinarySI'))).toBe('1Ki');
    expect(quantityToString(roundUpToMilli(parseQuantity('100u')))).toBe('1m');
    expect(normalizeQuantity(' 2 ')).toBe('2');
    expect(normalizeQuantity(0.25)).toBe('250m');
  });
});

// ---- properties --------------------------------------------------------------------------

const formatArb = fc.constantFrom<QuantityFormat>('DecimalSI', 'BinarySI', 'DecimalExponent');
// Kept below 2^61 units: binary quantities above 2^63-1 are capped whenever they are parsed.
const LIMIT = (1n << 61n) * 10n ** 9n;
const quantityArb: fc.Arbitrary<Quantity> = fc
  .record({ nanos: fc.bigInt({ min: -LIMIT, max: LIMIT }), format: formatArb })
  .map(({ nanos, format }) => ({ nanos, format }));

const SUFFIX_SCALE: Record<string, [bigint, bigint]> = {
  // suffix -> [numerator, denominator] in nanos
  '': [10n ** 9n, 1n],
  n: [1n, 1n],
  u: [10n ** 3n, 1n],
  m: [10n ** 6n, 1n],
  k: [10n ** 12n, 1n],
  M: [10n ** 15n, 1n],
  G: [10n ** 18n, 1n],
  T: [10n ** 21n, 1n],
  Ki: [1024n * 10n ** 9n, 1n],
  Mi: [1024n ** 2n * 10n ** 9n, 1n],
  Gi: [1024n ** 3n * 10n ** 9n, 1n],
  e2: [10n ** 11n, 1n],
  'e-2': [10n ** 7n, 1n],
};

const MAX_BINARY_NANOS = ((1n << 63n) - 1n) * 10n ** 9n;

/**
 * Independent reference: sign * digits/10^frac * scale, rounded up (away from zero) to a nano;
 * binary-suffixed values are capped at 2^63-1 as Kubernetes does.
 */
function referenceNanos(negative: boolean, int: string, frac: string, suffix: string): bigint {
  const [num] = SUFFIX_SCALE[suffix];
  const scaled = BigInt(`${int}${frac}` || '0') * num;
  const den = 10n ** BigInt(frac.length);
  let magnitude = scaled % den === 0n ? scaled / den : scaled / den + 1n;
  if (suffix.endsWith('i') && magnitude > MAX_BINARY_NANOS) magnitude = MAX_BINARY_NANOS;
  return negative ? -magnitude : magnitude;
}

const literalArb = fc.record({
  negative: fc.boolean(),
  int: fc.stringMatching(/^[0-9]{1,12}$/),
  frac: fc.stringMatching(/^[0-9]{0,6}$/),
  suffix: fc.constantFrom(...Object.keys(SUFFIX_SCALE)),
});

describe('quantity properties', () => {
  it('parses literals to the exact reference value', () => {
    fc.assert(
      fc.property(literalArb, ({ negative, int, frac, suffix }) => {
        const text = `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}${suffix}`;
        expect(parseQuantity(text).nanos).toBe(referenceNanos(negative, int, frac, suffix));
      }),
      { numRuns },
    );
  });

  it('canonical strings parse back to the same value and settle after one round trip', () => {
    fc.assert(
      fc.property(quantityArb, (q) => {
        const text = canonicalQuantityString(q);
        const again = parseQuantity(text);
        expect(again.nanos).toBe(q.nanos);
        // A binary value that is no multiple of 1Ki prints as a bare number and comes back
        // decimal (1000 -> "1000" -> "1k"), exactly as in Go; after that the string is stable.
        const settled = quantityToString(again);
        expect(quantityToString(parseQuantity(settled))).toBe(settled);
      }),
      { numRuns },
    );
  });

  it('serialization settles after at most two round trips', () => {
    fc.assert(
      fc.property(literalArb, ({ negative, int, frac, suffix }) => {
        const literal = `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}${suffix}`;
        const once = normalizeQuantity(literal);
        const twice = normalizeQuantity(once);
        expect(normalizeQuantity(twice)).toBe(twice);
        // Only a binary value that is no whole multiple of 1Ki may change on the second pass.
        if (twice !== once) expect(parseQuantity(literal).format).toBe('BinarySI');
      }),
      { numRuns },
    );
  });

  it('add, subtract and compare agree with bigint arithmetic', () => {
    fc.assert(
      fc.property(quantityArb, quantityArb, (a, b) => {
        expect(addQuantities(a, b).nanos).toBe(a.nanos + b.nanos);
        expect(subtractQuantities(a, b).nanos).toBe(a.nanos - b.nanos);
        expect(compareQuantities(a, b)).toBe(a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0);
        // Serialized sums must carry the exact value too.
        expect(parseQuantity(quantityToString(addQuantities(a, b))).nanos).toBe(a.nanos + b.nanos);
      }),
      { numRuns },
    );
  });

  it('milli and unit values round up away from zero', () => {
    const awayFromZero = (rounded: bigint, unit: bigint, nanos: bigint) => {
      const diff = rounded * unit - nanos;
      expect(diff === 0n || diff > 0n === nanos > 0n).toBe(true);
      expect(diff < 0n ? -diff : diff).toBeLessThan(unit);
    };
    fc.assert(
      fc.property(quantityArb, (q) => {
        awayFromZero(quantityMilliValue(q), 1_000_000n, q.nanos);
        awayFromZero(quantityValue(q), 1_000_000_000n, q.nanos);
      }),
      { numRuns },
    );
  });
});
