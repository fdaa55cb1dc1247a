/** A source of uniform numbers in [0, 1). The simulator only ever draws from one of these, never Math.random. */
export interface Random {
  next(): number;
}

/** Makes the random stream number `stream` for a seed. */
export type RandomFactory = (seed: number, stream: number) => Random;

/** splitmix32: spreads a small seed over 32 bits, so seeds 1, 2, 3 give unrelated streams. */
function splitmix32(state: number): () => number {
  let s = state | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * xoshiro128**: fast, 2^128 period, good enough statistics for traffic. `stream` picks an independent sequence
 * for the same seed, so arrivals, routing and durations never borrow from one another's draws: two scenarios
 * that differ in one parameter then see the very same requests (common random numbers).
 */
export function createRandom(seed: number, stream = 0): Random {
  const mix = splitmix32(
    Math.imul(seed | 0, 0x27d4eb2d) ^ Math.imul(stream + 1, 0x165667b1) ^ ((seed / 2 ** 32) | 0),
  );
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  if ((a | b | c | d) === 0) a = 1;
  return {
    next(): number {
      const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      return result / 4294967296;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Draws from a lognormal with the given median and 99th percentile, truncated at `max`. */
export function createLognormal(random: Random, median: number, p99: number, max: number): () => number {
  const mu = Math.log(median);
  // z(0.99) = 2.3263: the 99th percentile of the standard normal.
  const sigma = Math.log(p99 / median) / 2.3263478740408408;
  let spare = Number.NaN;
  return () => {
    let z: number;
    if (!Number.isNaN(spare)) {
      z = spare;
      spare = Number.NaN;
    } else {
      // Box–Muller: two normals per pair of uniforms; 1 - u keeps the log away from 0.
      const u = 1 - random.next();
      const v = random.next();
      const r = Math.sqrt(-2 * Math.log(u));
      z = r * Math.cos(2 * Math.PI * v);
      spare = r * Math.sin(2 * Math.PI * v);
    }
    return Math.min(max, Math.exp(mu + sigma * z));
  };
}
