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
 * The first requested object that an allow-list refuses, as a sentence for a 403, or undefined when every list
 * allows the request. Every list given must allow it: the global one and the client's own.
 */
export function findDenied(
  requested: RequestedResources,
  lists: readonly (AllowList | undefined)[],
): string | undefined {
  for (const kind of ['loadBalancers', 'targetGroups', 'namespaces'] as const) {
    for (const value of requested[kind]) {
      for (const list of lists) {
        const allowed = list?.[kind];
        if (allowed !== undefined && !allowed.some((pattern) => matches(pattern, value))) {
          return `this token may not read ${KIND_LABEL[kind]} ${value}`;
        }
      }
    }
  }
  return undefined;
}
