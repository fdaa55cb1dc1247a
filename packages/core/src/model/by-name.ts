/**
 * Objects by namespace and name. Linking looks objects up by both thousands of times; a `namespace/name`
 * key joined for every lookup cost more than the lookup itself (a new string to build and hash each time),
 * while the two parts are strings the parser already made, whose hashes V8 keeps.
 */
export class ByName<T> {
  private readonly namespaces = new Map<string, Map<string, T>>();

  get(namespace: string, name: string): T | undefined {
    return this.namespaces.get(namespace)?.get(name);
  }

  has(namespace: string, name: string): boolean {
    return this.namespaces.get(namespace)?.has(name) ?? false;
  }

  set(namespace: string, name: string, value: T): void {
    let names = this.namespaces.get(namespace);
    if (!names) this.namespaces.set(namespace, (names = new Map()));
    names.set(name, value);
  }

  /** The value of a name, made by `create` and kept when there is none yet. */
  getOrSet(namespace: string, name: string, create: () => T): T {
    let names = this.namespaces.get(namespace);
    if (!names) this.namespaces.set(namespace, (names = new Map()));
    let value = names.get(name);
    if (value === undefined) names.set(name, (value = create()));
    return value;
  }
}
