import type { HookDelivery } from './github-client.js';

/**
 * The deliveries to ask GitHub to send again: protection-rule requests of which no attempt got a 2xx answer
 * (the provider was down, overloaded, or could not record them), the newest attempt of each, newest first, at
 * most `max`. A request any attempt got through is in the decision store already.
 */
export function selectRedeliveries(deliveries: readonly HookDelivery[], max: number): HookDelivery[] {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const delivery of deliveries) {
    if (delivery.event !== 'deployment_protection_rule' || delivery.action !== 'requested') continue;
    byGuid.set(delivery.guid, [...(byGuid.get(delivery.guid) ?? []), delivery]);
  }
  const chosen: HookDelivery[] = [];
  for (const attempts of byGuid.values()) {
    if (attempts.some((a) => a.statusCode >= 200 && a.statusCode < 300)) continue;
    const newest = attempts.reduce((a, b) => (b.deliveredAt > a.deliveredAt ? b : a));
    chosen.push(newest);
  }
  return chosen.sort((a, b) => b.deliveredAt.getTime() - a.deliveredAt.getTime()).slice(0, max);
}
