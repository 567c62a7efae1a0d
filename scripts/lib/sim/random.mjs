// Seeded random streams for the simulator (docs/simulator.md): sfc32 seeded from a hash of the seed and a
// label, so every purpose (arrivals, each call, each agent) has its own stream. A run with fewer agents
// then sees the very same callers (arrival instants, queues, patience, handling times): comparisons
// between runs differ only by what was changed (common random numbers).

/** A 32-bit hash of a string (FNV-1a, then murmur3's finalizer). */
export function hash32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32: small, fast, passes PractRand; four 32-bit words of state. */
function sfc32(a, b, c, d) {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/**
 * A random stream for `label` under `seed`: uniform, exponential, lognormal and normal draws.
 * @param {string | number} seed
 * @param {string} [label]
 */
export function createRng(seed, label = '') {
  const base = `${seed}/${label}`;
  const next = sfc32(hash32(`${base}#a`), hash32(`${base}#b`), hash32(`${base}#c`), hash32(`${base}#d`));
  for (let i = 0; i < 12; i++) next(); // mix the state away from the seed's hashes
  let spare = null;
  const rng = {
    /** Uniform in [0, 1). */
    next,
    /** Uniform in [min, max). */
    uniform: (min, max) => min + (max - min) * next(),
    /** An integer in [0, n). */
    int: (n) => Math.floor(next() * n),
    /** True with probability p. */
    chance: (p) => next() < p,
    /** Exponential with the given mean. */
    exponential: (mean) => -mean * Math.log(1 - next()),
    /** Standard normal (Box–Muller, the second value kept for the next call). */
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    /** Lognormal with the given mean and coefficient of variation (sd / mean). */
    lognormal(mean, cv) {
      const sigma2 = Math.log(1 + cv * cv);
      const mu = Math.log(mean) - sigma2 / 2;
      return Math.exp(mu + Math.sqrt(sigma2) * rng.normal());
    },
    /** One draw of a duration distribution `{ dist: 'exponential' | 'lognormal', mean, cv? }`. */
    draw(d) {
      return d.dist === 'lognormal' ? rng.lognormal(d.mean, d.cv ?? 1) : rng.exponential(d.mean);
    },
    /** An index chosen with probability proportional to its weight. */
    weighted(weights) {
      const total = weights.reduce((a, b) => a + b, 0);
      let x = next() * total;
      for (let i = 0; i < weights.length; i++) {
        x -= weights[i];
        if (x < 0) return i;
      }
      return weights.length - 1;
    },
  };
  return rng;
}
