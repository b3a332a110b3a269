// resource.Quantity with Kubernetes' exact semantics: fixed-point (nano precision, rounded
// up away from zero), suffix family remembered from the input, canonical serialization, and
// the quirk that an input already "canonical enough" is echoed back verbatim (e.g. "+1").
// Port of k8s.io/apimachinery/pkg/api/resource/quantity.go; all arithmetic is bigint.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** Exact value in units of 10^-9. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /** Input string kube-apiserver would echo unchanged instead of re-canonicalizing. */
  readonly original?: string;
}

export const QUANTITY_REGEX = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${QUANTITY_REGEX}'`;
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

const NANO = 1_000_000_000n;
const MILLI_IN_NANOS = 1_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;
// Exponents beyond this would need astronomically large bigints; Go keeps them symbolic.
const MAX_DECIMAL_EXPONENT = 10_000;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

interface Scanned {
  positive: boolean;
  value: string; // sign + number text, as Go hands it to inf.Dec
  num: string; // integer digits, leading zeros stripped ("0" when none)
  denom: string; // fraction digits
  suffix: string;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

// parseQuantityString: Go's hand-written scanner, including its leniencies ("1.", ".5", "-").
function scan(str: string): Scanned {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };

  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, value: str, num: num || '0', denom: '', suffix: '' };
  pos = i;
  if (num.length === 0) num = '0';

  let denom = '';
  if (str[pos] === '.') {
    pos++;
    let j = pos;
    while (j < end && isDigit(str[j])) j++;
    denom = str.slice(pos, j);
    if (j >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = j;
  }
  const value = str.slice(0, pos);

  const suffixStart = pos;
  let k = pos;
  while (k < end && 'eEinumkKMGTP'.includes(str[k])) k++;
  if (k >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  if (str[k] === '-' || str[k] === '+') k++;
  while (k < end && isDigit(str[k])) k++;
  if (k < end) throw new QuantityError(ERR_FORMAT_WRONG);
  return { positive, value, num, denom, suffix: str.slice(suffixStart) };
}

interface Interpreted {
  base: 10 | 2;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(suffix: string): Interpreted {
  if (suffix in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix], format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const digits = suffix.slice(1);
    if (/^[+-]?[0-9]+$/.test(digits)) {
      const parsed = BigInt(digits);
      if (parsed <= MAX_INT64 && parsed >= -MAX_INT64 - 1n) {
        // Go narrows the int64 to int32 silently; mirror the wrap-around.
        return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
      }
    }
  }
  throw new QuantityError(ERR_SUFFIX);
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** digits * 10^shift, rounding a fractional result up (the value is non-negative here). */
function shiftDecimalRoundingUp(digits: bigint, shift: number): bigint {
  if (shift >= 0) {
    if (shift > MAX_DECIMAL_EXPONENT) throw new QuantityError(`quantity exponent too large to model: ${shift - 9}`);
    return digits * pow10(shift);
  }
  if (digits === 0n) return 0n;
  if (-shift > digits.toString().length) return 1n; // below one nano: rounds up to exactly 1n
  const divisor = pow10(-shift);
  const q = digits / divisor;
  return digits % divisor === 0n ? q : q + 1n;
}

/** ParseQuantity. Throws QuantityError with Kubernetes' own messages. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(ERR_FORMAT_WRONG);
  if (str === '0') return { nanos: 0n, format: 'DecimalSI', original: '0' };

  const s = scan(str);
  const { base, exponent } = interpretSuffix(s.suffix);
  let { format } = interpretSuffix(s.suffix);

  // Go's int64 fast path; only it may keep the input string as the serialized form.
  let precision: number;
  if (format === 'BinarySI') {
    precision = exponent >= 0 && s.denom.length === 0 ? 15 - s.num.length - Math.trunc((exponent * 3) / 10) - 1 : -1;
  } else {
    precision = 18 - (s.num.length + s.denom.length);
  }
  const fastScale = (format === 'BinarySI' ? 0 : exponent) - s.denom.length;
  if (precision >= 0 && fastScale >= -9) {
    const shifted = s.num + s.denom;
    const unsigned = BigInt(shifted);
    const magnitude =
      format === 'BinarySI' ? unsigned * (1n << BigInt(exponent)) * NANO : unsigned * pow10(fastScale + 9);
    const nanos = s.positive ? magnitude : -magnitude;
    const keepsInput =
      format === 'BinarySI'
        ? exponent % 10 === 0 && (unsigned & 7n) !== 0n
        : fastScale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
    return keepsInput ? { nanos, format, original: str } : { nanos, format };
  }

  // Slow path (inf.Dec in Go): the numeric text must contain at least one digit.
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(s.value)) throw new QuantityError(ERR_NUMERIC);
  const digits = BigInt((s.num + s.denom).replace(/^0+(?=.)/, ''));
  let magnitude: bigint;
  if (base === 10) {
    magnitude = shiftDecimalRoundingUp(digits, exponent - s.denom.length + 9);
  } else {
    magnitude = shiftDecimalRoundingUp(digits * (1n << BigInt(exponent)), 9 - s.denom.length);
  }
  if (format === 'BinarySI' && magnitude > MAX_INT64 * NANO) magnitude = MAX_INT64 * NANO;
  // A binary quantity strictly between 0 and 1 has no binary spelling; Go switches family.
  if (format === 'BinarySI' && magnitude > 0n && magnitude < NANO) format = 'DecimalSI';
  return { nanos: s.positive ? magnitude : -magnitude, format };
}

/** Lenient entry for decoded objects: JSON numbers are accepted and whitespace trimmed, as UnmarshalJSON does. */
export function parseQuantityValue(value: string | number): Quantity {
  return parseQuantity(typeof value === 'number' ? String(value) : value.trim());
}

export function isValidQuantity(value: string | number): boolean {
  try {
    parseQuantityValue(value);
    return true;
  } catch {
    return false;
  }
}

function absBig(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Canonical form (CanonicalizeBytes), ignoring the echoed-input quirk. */
export function canonicalQuantityString(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const inSmallRange = q.nanos > -1024n * NANO && q.nanos < 1024n * NANO;
    if (inSmallRange || q.nanos % NANO !== 0n) format = 'DecimalSI'; // never lose precision
  }
  if (format === 'BinarySI') {
    let units = q.nanos / NANO;
    let power = 0;
    // Stop at Ei: Go has no larger binary suffix (its output would be garbled beyond it).
    while (power < 6 && absBig(units) >= 1024n && units % 1024n === 0n) {
      units /= 1024n;
      power++;
    }
    return `${units}${BINARY_SUFFIX_BY_POWER[power]}`;
  }
  let mantissa = q.nanos;
  let exponent = -9;
  while (absBig(mantissa) >= 10n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = DECIMAL_SUFFIX_BY_EXPONENT.get(exponent);
  // Go emits no suffix at all past "E" (a known bug that corrupts the value); use an exponent instead.
  return suffix === undefined ? `${mantissa}e${exponent}` : `${mantissa}${suffix}`;
}

/** Quantity.String(): what kube-apiserver serializes. */
export function quantityToString(q: Quantity): string {
  return q.original ?? canonicalQuantityString(q);
}

/** Parse and re-serialize, as a round trip through the API does. */
export function normalizeQuantity(value: string | number): string {
  return quantityToString(parseQuantityValue(value));
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

// Add/Sub: the result takes the left operand's format unless the left operand is zero.
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

function divideAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (n % d === 0n) return q;
  return n > 0n ? q + 1n : q - 1n;
}

/** Value(): whole units, rounded up away from zero (bytes for memory). */
export function quantityValue(q: Quantity): bigint {
  return divideAwayFromZero(q.nanos, NANO);
}

/** MilliValue(): thousandths, rounded up away from zero (millicores for cpu). */
export function quantityMilliValue(q: Quantity): bigint {
  return divideAwayFromZero(q.nanos, MILLI_IN_NANOS);
}

/** NewQuantity(value, format). */
export function quantityFromValue(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(value) * NANO, format };
}

/** NewMilliQuantity(value, format). */
export function quantityFromMilli(milli: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(milli) * MILLI_IN_NANOS, format };
}

/** RoundUp(Milli): what ResourceList defaulting does to every request/limit/capacity. */
export function roundUpToMilli(q: Quantity): Quantity {
  if (q.nanos % MILLI_IN_NANOS === 0n) return q;
  return { nanos: divideAwayFromZero(q.nanos, MILLI_IN_NANOS) * MILLI_IN_NANOS, format: q.format };
}
