/**
 * The project's random generator: xoshiro128** seeded through splitmix32. Specified to the bit
 * (native/random.hpp implements the same stream) so that a seed gives the same result on every
 * backend and machine. Only 32-bit integer operations, so JavaScript runs it without BigInt.
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /**
   * The generator's four words: a stream saved by saveState and resumed by fromState continues
   * exactly where it stopped, across calls that keep it outside (mini-batch k-means between batches).
   */
  static fromState(words: Uint32Array): Random {
    const rng = new Random(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = words;
    return rng;
  }

  saveState(words: Uint32Array): void {
    words[0] = this.s0;
    words[1] = this.s1;
    words[2] = this.s2;
    words[3] = this.s3;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits: the top 27 bits of one draw, then the top 26 of the next. */
  nextDouble(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [0, bound). */
  nextIndex(bound: number): number {
    return Math.floor(this.nextDouble() * bound);
  }
}

/** splitmix32's output function: a bijection of 32-bit words that spreads every input bit. */
export function mix32(value: number): number {
  let z = (value + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Uniform in [0, 1) with 53 bits, a function of (key, index) alone: point `index`'s own draw in a
 * pass keyed by one draw of the generator, the same whichever thread takes it and in whatever
 * order (k-means|| samples every point independently in each round; native/random.hpp's uniform_at).
 */
export function uniformAt(key: number, index: number): number {
  const high = mix32((key ^ mix32(index)) >>> 0);
  const low = mix32((high ^ key) >>> 0);
  return ((high >>> 5) * 67108864 + (low >>> 6)) / 9007199254740992;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}
