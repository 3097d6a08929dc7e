// "Did you mean …?" for misspelled names: the closest known name within two edits.

export function suggest(name: string, options: readonly string[]): string {
  let best = "";
  let bestD = 3;
  for (const o of options) {
    const d = distance(name, o);
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best ? `; did you mean "${best}"?` : "";
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number;
      dp[j] = Math.min(
        (dp[j] as number) + 1,
        (dp[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return dp[b.length] as number;
}
