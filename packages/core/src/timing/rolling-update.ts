/**
 * Resolves a rolling update's int-or-percent budget against the replica count as the Deployment
 * controller does: maxSurge rounds up, maxUnavailable rounds down, and both zero becomes maxUnavailable 1.
 */
export function resolveRollingBudget(
  replicas: number,
  maxSurge: number | string,
  maxUnavailable: number | string,
): { readonly maxSurge: number; readonly maxUnavailable: number } {
  const surge = resolveIntOrPercent(maxSurge, replicas, 'up');
  let unavailable = resolveIntOrPercent(maxUnavailable, replicas, 'down');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { maxSurge: surge, maxUnavailable: unavailable };
}

/** An int-or-percent (`3`, `"25%"`) against a total, rounded as asked. */
export function resolveIntOrPercent(value: number | string, total: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) return Number.isInteger(Number(value)) ? Number(value) : 0;
  const exact = (Number(match[1]) * total) / 100;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}
