import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { InputError } from '@draingate/core';
import { KubeConfig } from '@kubernetes/client-node';

/** Where to find the cluster and the credentials. */
export interface KubeConfigOptions {
  /** A kubeconfig file; default: `$KUBECONFIG` (merged, like kubectl), then `~/.kube/config`, then in-cluster. */
  readonly kubeconfig?: string;
  /** A context of that kubeconfig; default: its `current-context`. */
  readonly context?: string;
  /** Use the pod's ServiceAccount (`/var/run/secrets/kubernetes.io/serviceaccount`) and `KUBERNETES_SERVICE_*`. */
  readonly inCluster?: boolean;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]?.trim() ?? message;
}

/** Loads one kubeconfig file into `config` (relative certificate paths resolved against its directory). */
function loadFile(config: KubeConfig, file: string, path: string, merge: boolean): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : firstLine(err);
    throw new InputError(path, `cannot read ${file}: ${why}`, { cause: err });
  }
  const loaded = merge ? new KubeConfig() : config;
  try {
    loaded.loadFromString(text);
    loaded.makePathsAbsolute(dirname(resolve(file)));
  } catch (err) {
    throw new InputError(path, `${file} is not a valid kubeconfig: ${firstLine(err)}`, { cause: err });
  }
  if (loaded.getContexts().length === 0 && loaded.getClusters().length === 0) {
    throw new InputError(path, `${file} is not a valid kubeconfig: it defines no clusters or contexts`);
  }
  if (merge) mergeFirstWins(config, loaded);
}

/** kubectl's KUBECONFIG merge: the first file to define a name (or the current context) wins. */
function mergeFirstWins(config: KubeConfig, next: KubeConfig): void {
  if (!config.getCurrentContext() && next.getCurrentContext())
    config.setCurrentContext(next.getCurrentContext());
  for (const cluster of next.getClusters())
    if (config.getCluster(cluster.name) === null) config.addCluster(cluster);
  for (const user of next.getUsers()) if (config.getUser(user.name) === null) config.addUser(user);
  for (const context of next.getContexts()) {
    if (config.getContextObject(context.name) === null) config.addContext(context);
  }
}

function loadInCluster(config: KubeConfig): void {
  if (!process.env.KUBERNETES_SERVICE_HOST) {
    throw new InputError(
      'inCluster',
      'not running in a cluster: KUBERNETES_SERVICE_HOST is not set (use a kubeconfig file instead)',
    );
  }
  try {
    config.loadFromCluster();
  } catch (err) {
    throw new InputError('inCluster', `cannot load the in-cluster configuration: ${firstLine(err)}`, {
      cause: err,
    });
  }
}

/**
 * Loads a kubeconfig from a file, the default locations or the pod's ServiceAccount and selects the context.
 * Every user mistake (a missing or unparsable file, an unknown context, a config without a cluster, no config
 * anywhere) is an InputError that says what to fix; nothing is contacted yet.
 */
export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const config = new KubeConfig();
  if (options.inCluster === true) {
    if (options.kubeconfig !== undefined) {
      throw new InputError(
        'kubeconfig',
        'give either a kubeconfig file or in-cluster configuration, not both',
      );
    }
    loadInCluster(config);
    return config;
  }

  let where: string;
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
  const home = join(homedir(), '.kube', 'config');
  if (options.kubeconfig !== undefined) {
    where = options.kubeconfig;
    loadFile(config, options.kubeconfig, 'kubeconfig', false);
  } else if (fromEnv.length > 0) {
    // As kubectl: the files are merged, the first to set a value wins.
    where = `KUBECONFIG (${fromEnv.join(delimiter)})`;
    fromEnv.forEach((file, i) => loadFile(config, file, 'KUBECONFIG', i > 0));
  } else if (existsSync(home)) {
    where = home;
    loadFile(config, home, 'kubeconfig', false);
  } else if (process.env.KUBERNETES_SERVICE_HOST) {
    loadInCluster(config);
    return config;
  } else {
    throw new InputError(
      'kubeconfig',
      `no kubeconfig found: pass one, set KUBECONFIG, create ${home}, or run in a cluster`,
    );
  }

  if (options.context !== undefined) {
    if (config.getContextObject(options.context) === null) {
      const known = config.getContexts().map((c) => `"${c.name}"`);
      throw new InputError(
        'context',
        `no context "${options.context}" in ${where} (it has ${known.length ? known.join(', ') : 'none'})`,
      );
    }
    config.setCurrentContext(options.context);
  } else if (!config.getCurrentContext()) {
    throw new InputError('context', `${where} sets no current-context: pass a context`);
  } else if (config.getContextObject(config.getCurrentContext()) === null) {
    throw new InputError(
      'context',
      `${where} selects current-context "${config.getCurrentContext()}", which it does not define`,
    );
  }
  const context = config.getContextObject(config.getCurrentContext());
  if (context !== null && config.getCluster(context.cluster) === null) {
    throw new InputError(
      'kubeconfig',
      `context "${context.name}" in ${where} names cluster "${context.cluster}", which it does not define`,
    );
  }
  return config;
}
