// Seeded randomness: Nomad shuffles nodes with a seed taken from the
// evaluation; here the seed comes in with the snapshot so a plan is
// reproducible from its inputs alone.

/** A small, fast PRNG (mulberry32). Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place (arrays and typed arrays). */
export function shuffle<T>(
  items: { length: number; [index: number]: T },
  random: () => number,
): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}

/** A deterministic ID (UUID-shaped) from the random source, for new allocations and deployments. */
export function randomId(random: () => number): string {
  let hex = "";
  for (let i = 0; i < 4; i++) {
    hex += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A seed from an evaluation's ID, as Nomad seeds its node shuffle from the
 * eval ID: each evaluation shuffles differently, and re-running one
 * reproduces its plan. (FNV-1a.)
 */
export function seedFromEvalId(evalId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < evalId.length; i++) {
    h ^= evalId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
