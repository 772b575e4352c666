// Python `format(x, '.1f')` in JavaScript: exact-value rounding with ties to even.

/**
 * What Python prints for `format(x, '.1f')`. Both Python and `Number#toFixed` round the exact
 * binary value; they differ only on exact ties, where Python rounds half to even and `toFixed`
 * rounds half away from zero. At one decimal the only exactly representable ties have a
 * fractional part of .25 or .75 (x = k/20 with k odd is a binary fraction only then); at .75
 * both pick the even digit 8, so only .25 needs fixing (0.25 → "0.2", 12.25 → "12.2").
 */
export function formatPythonFixed1(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.0';
  const magnitude = Math.abs(x);
  const sign = x < 0 ? '-' : '';
  if (magnitude >= 1e21) {
    // Every double this large is an integer; toFixed would switch to exponent notation.
    return sign + BigInt(magnitude).toString() + '.0';
  }
  const whole = Math.floor(magnitude);
  if (magnitude - whole === 0.25) {
    // Exact tie between d.2 and d.3: 2 is even. (magnitude - whole is exact for doubles.)
    return sign + whole.toString() + '.2';
  }
  // toFixed puts the sign on values that round to zero too ("-0.0"), as Python does.
  return x.toFixed(1);
}
