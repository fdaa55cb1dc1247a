/** What a caller may ask about. An absent list allows everything of its kind. */
export interface AllowList {
  /** Load balancer ARNs; `*` matches any run of characters. */
  readonly loadBalancers?: readonly string[];
  /** Target group ARNs; `*` matches any run of characters. */
  readonly targetGroups?: readonly string[];
  /** Namespaces; `*` matches any run of characters. */
  readonly namespaces?: readonly string[];
}

/** The AWS and Kubernetes objects one request would read. */
export interface RequestedResources {
  readonly loadBalancers: readonly string[];
  readonly targetGroups: readonly string[];
  readonly namespaces: readonly string[];
}

const KIND_LABEL = {
  loadBalancers: 'load balancer',
  targetGroups: 'target group',
  namespaces: 'namespace',
} as const;

function matches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(value);
}

/**
 * Whether a list restricts target groups only through its load balancers (`loadBalancers` given,
 * `targetGroups` not): then a target group is allowed when it is attached to an allowed load balancer, which
 * only the target group's description can tell.
 */
export function needsAttachments(
  requested: RequestedResources,
  lists: readonly (AllowList | undefined)[],
): boolean {
  return (
    requested.targetGroups.length > 0 &&
    lists.some((list) => list?.loadBalancers !== undefined && list.targetGroups === undefined)
  );
}

/**
 * The first requested object that an allow-list refuses, as a sentence for a 403, or undefined when every list
 * allows the request. Every list given must allow it: the global one and the client's own. A list of load
 * balancers without a list of target groups allows the target groups of those load balancers and no other:
 * `attachments` maps each requested target group to the load balancers it is attached to (absent: none).
 */
export function findDenied(
  requested: RequestedResources,
  lists: readonly (AllowList | undefined)[],
  attachments: ReadonlyMap<string, readonly string[]> = new Map(),
): string | undefined {
  for (const kind of ['loadBalancers', 'targetGroups', 'namespaces'] as const) {
    for (const value of requested[kind]) {
      for (const list of lists) {
        const allowed = list?.[kind];
        if (allowed !== undefined && !allowed.some((pattern) => matches(pattern, value))) {
          return `this token may not read ${KIND_LABEL[kind]} ${value}`;
        }
        const byLoadBalancer =
          kind === 'targetGroups' && allowed === undefined ? list?.loadBalancers : undefined;
        if (
          byLoadBalancer !== undefined &&
          !(attachments.get(value) ?? []).some((lb) => byLoadBalancer.some((pattern) => matches(pattern, lb)))
        ) {
          return `this token may not read target group ${value}: it is attached to no load balancer the token may read`;
        }
      }
    }
  }
  return undefined;
}
