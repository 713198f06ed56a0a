/**
 * The Compose keys Hoist cannot express, each with why: the one list the import reports
 * from, and docs/compose-import.md explains. Each reason is phrased to be followed by
 * ", not imported". Keys not listed here and not read by normalize-compose.ts are not keys of
 * the Compose specification at all.
 */

/** Keys of a service that have no Hoist equivalent. */
export const UNSUPPORTED_SERVICE_KEYS: Readonly<Record<string, string>> = {
  annotations: 'Hoist sets no container annotations',
  attach: 'it only changes what `docker compose up` prints',
  blkio_config: 'Hoist sets no block IO weights or limits',
  cgroup: 'Hoist keeps the engine\'s default cgroup namespace',
  cgroup_parent: 'Hoist keeps the engine\'s default cgroup parent',
  configs: 'Hoist has no configs; deliver the file as a Secret (`secret.asFile(path)`) or a bind mount',
  container_name: 'Hoist names containers <stack>-<service>-<n>',
  cpu_count: 'Hoist limits CPU with resources.cpus only',
  cpu_percent: 'Hoist limits CPU with resources.cpus only',
  cpu_period: 'Hoist limits CPU with resources.cpus only',
  cpu_quota: 'Hoist limits CPU with resources.cpus only',
  cpu_rt_period: 'Hoist sets no real-time CPU scheduling',
  cpu_rt_runtime: 'Hoist sets no real-time CPU scheduling',
  cpu_shares: 'Hoist sets CPU limits (resources.cpus), not relative shares',
  cpuset: 'Hoist does not pin containers to CPUs',
  credential_spec: 'it applies to Windows containers only',
  develop: 'it configures `docker compose watch`, a development loop',
  device_cgroup_rules: 'Hoist gives containers no host devices',
  devices: 'Hoist gives containers no host devices',
  dns: 'Hoist keeps the engine\'s DNS settings',
  dns_opt: 'Hoist keeps the engine\'s DNS settings',
  dns_search: 'Hoist keeps the engine\'s DNS settings',
  domainname: 'Hoist leaves the container\'s domain name to the engine',
  expose: 'it only records ports in the image metadata; services on a shared network reach each other on every port',
  extends: 'Hoist does not follow extends; copy the keys of the base service into this one',
  external_links: 'containers outside the stack cannot be reached by name on the stack\'s networks',
  extra_hosts: 'Hoist adds no /etc/hosts entries',
  gpus: 'Hoist gives containers no GPUs',
  group_add: 'Hoist sets no supplementary groups',
  hostname: 'Hoist leaves the container\'s host name to the engine (its id); other services reach it by service name',
  init: 'Hoist runs no init process in containers; use an image whose entrypoint is one (tini, dumb-init)',
  ipc: 'Hoist never shares an IPC namespace (CIS Docker 5.16)',
  isolation: 'it applies to Windows containers only',
  label_file: 'write the labels into labels',
  links: 'services on a shared network reach each other by service name; give other names as network aliases',
  mac_address: 'Hoist lets the engine pick MAC addresses',
  mem_swappiness: 'Hoist sets no swap settings',
  memswap_limit: 'Hoist sets no swap limit',
  models: 'Hoist has no models',
  network_mode: 'services join the stack\'s own networks; Hoist never uses the host\'s network, none, or another container\'s (CIS Docker 5.9)',
  oom_kill_disable: 'Hoist leaves the OOM killer\'s settings to the engine',
  oom_score_adj: 'Hoist leaves the OOM killer\'s settings to the engine',
  pid: 'Hoist never shares the host\'s or another container\'s PID namespace (CIS Docker 5.15)',
  post_start: 'Hoist runs no lifecycle hooks',
  pre_stop: 'Hoist runs no lifecycle hooks',
  privileged: 'Hoist never runs privileged containers (CIS Docker 5.4)',
  provider: 'Hoist has no service providers',
  runtime: 'Hoist uses the engine\'s default runtime',
  shm_size: 'Hoist leaves /dev/shm at the engine\'s default size',
  stdin_open: 'Hoist runs services without an open stdin',
  stop_signal: 'Hoist stops containers with the image\'s STOPSIGNAL (SIGTERM unless the image sets one)',
  storage_opt: 'Hoist sets no storage driver options',
  sysctls: 'Hoist sets no namespaced kernel parameters',
  tty: 'Hoist runs services without a terminal',
  ulimits: 'Hoist sets no ulimits (resources.pids limits processes)',
  use_api_socket: 'Hoist never hands containers the engine\'s socket or credentials',
  userns_mode: 'Hoist keeps the engine\'s user namespace setting',
  uts: 'Hoist never shares the host\'s UTS namespace',
  volumes_from: 'mount the same named volumes in both services instead',
};

/** Keys under `build:` that Hoist's image builds do not take. */
export const UNSUPPORTED_BUILD_KEYS: Readonly<Record<string, string>> = {
  additional_contexts: 'Hoist builds from one context directory',
  cache_from: 'Hoist reuses the builder\'s own cache and never rebuilds unchanged inputs',
  cache_to: 'Hoist exports no build cache',
  dockerfile_inline: 'Hoist builds from a Dockerfile in the context (or from typed build steps: Image.fromBuildSteps)',
  entitlements: 'Hoist grants builds no entitlements',
  extra_hosts: 'Hoist adds no /etc/hosts entries to builds',
  isolation: 'it applies to Windows builds only',
  labels: 'Hoist labels the images it builds itself',
  network: 'builds use the builder\'s default network',
  no_cache: 'Hoist rebuilds only when the inputs change',
  privileged: 'Hoist runs no privileged builds',
  provenance: 'Hoist attaches no attestations',
  pull: 'the builder pulls base images it lacks',
  sbom: 'Hoist attaches no attestations',
  shm_size: 'Hoist keeps the builder\'s default /dev/shm size',
  ssh: 'Hoist forwards no SSH agent into builds',
  tags: 'Hoist tags built images hoist/<stack>/<image>:<content tag>',
  ulimits: 'Hoist sets no build ulimits',
};

/** Keys under `deploy:` besides replicas, resources, restart_policy and update_config. */
export const UNSUPPORTED_DEPLOY_KEYS: Readonly<Record<string, string>> = {
  endpoint_mode: 'it applies to Swarm services only',
  labels: 'these are Swarm service labels; the containers\' labels are the service\'s labels',
  mode: 'Hoist runs a number of replicas (replicated), not one per node (global)',
  placement: 'the program places every service on the inventory\'s first host',
  rollback_config: 'Hoist rolls back with the settings of the update',
};

/** Top-level keys besides name, services, volumes, networks and secrets. */
export const UNSUPPORTED_TOP_LEVEL_KEYS: Readonly<Record<string, string>> = {
  configs: 'Hoist has no configs; deliver files as Secrets (`secret.asFile(path)`) or bind mounts',
  include: 'Hoist reads one Compose file; import the included files one by one',
  models: 'Hoist has no models',
};

/** Why a key that is not in the Compose specification is not imported. */
export const NOT_A_COMPOSE_KEY = 'not a key of the Compose specification';
