/**
 * Reliability item 26: hostile values reach the container literally. A seeded generator
 * (test/helpers/hostile-strings.ts) makes HOIST_PROPERTY_RUNS strings per engine (10,000 in
 * CI), which go through Hoist's own apply path (synth -> planStack -> readSecretsForPlan ->
 * executeStackPlan, so buildCreateContainerRequest and writeSecretFiles) over SSH to Docker
 * Engine on host-1 and Podman on host-2, as environment values (under hostile names),
 * labels, command arguments, secret files and secret environment variables. They are read
 * back through the engine: inspect, and files the container's own process wrote (its
 * /proc/1/environ and its argv, NUL-separated) fetched with the archive endpoint, compared
 * byte for byte. Then a plan from what the hosts report must be empty: no perpetual diff.
 *
 * Replay a failure: HOIST_PROPERTY_SEED=<seed printed by the run>. More strings:
 * HOIST_PROPERTY_RUNS=100000 (per engine).
 */
import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Image, Inventory, Secret, Service, Stack, Testing } from '../../lib';
import { executeStackPlan } from '../../lib/apply/execute-plan';
import { readSecretsForPlan } from '../../lib/apply/secret-values';
import { readHostState, ObservedHostState } from '../../lib/engine/read-host-state';
import type { StackGraph } from '../../lib/graph/graph-document';
import { planStack } from '../../lib/plan/plan-stack';
import type { StackPlan } from '../../lib/plan/plan-types';
import { fingerprintKeyOf } from '../../lib/secrets/secret-fingerprint';
import { synthesize } from '../../lib/synth/synthesize';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { REPO_ROOT } from '../helpers/cli';
import { readContainerFiles } from '../helpers/container-files';
import { hostileEnvName, hostileStrings, propertyRuns, propertySeed, seededRandom } from '../helpers/hostile-strings';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

const STACK = 'rhv';
/** Strings per engine in CI; HOIST_PROPERTY_RUNS for more. */
const CI_RUNS = 10_000;
const KEY = fingerprintKeyOf('hostile-values-test-key');

/**
 * What one container may carry. execve() takes env and argv together up to a quarter of the
 * stack limit (2 MiB here) and each string up to 128 KiB; these budgets stay well inside,
 * so a container that does not start means Hoist (or the engine) broke a value, not the kernel.
 */
const BUDGET = { env: 384 * 1024, secretEnv: 192 * 1024, argv: 448 * 1024, labels: 1024 * 1024, secretFiles: 2 * 1024 * 1024, count: 1200 };

/**
 * PID 1 writes what it got, then sleeps. The hostile data is only ever "$@" (and the
 * environment); the script text is fixed, so no shell interprets a value.
 */
const SCRIPT = 'cat /proc/1/environ > /tmp/environ && { [ "$#" -eq 0 ] || printf "%s\\0" "$@"; } > /tmp/argv && : > /tmp/done; exec sleep 3600';

type Channel = 'env' | 'label' | 'argv' | 'secret-file' | 'secret-env';

/** One generated string and where it went, to name it in a failure. */
interface Sample {
  readonly channel: Channel;
  readonly index: number;
  readonly value: string;
  /** Env variable name, label key or secret file name. */
  readonly key: string;
}

interface Box {
  readonly service: string;
  readonly container: string;
  readonly samples: Sample[];
}

/** What the engine and the container's own process report for one box. */
interface ReadBack {
  /** Config.Env of inspect, by variable name. */
  readonly env: Map<string, Buffer>;
  readonly labels: Record<string, string>;
  readonly cmd: string[];
  /** /proc/1/environ as PID 1 got it, by variable name. */
  readonly environ: Map<string, Buffer>;
  /** PID 1's arguments after the script's own `sh`. */
  readonly argv: Buffer[];
  /** Files under /run/secrets, by archive path (`secrets/<name>`). */
  readonly secretFiles: Map<string, Buffer>;
}

interface EngineRun {
  readonly host: string;
  readonly engine: 'docker' | 'podman';
  readonly seed: number;
  readonly boxes: Box[];
  readonly read: Map<string, ReadBack>;
}

/** Pours samples into boxes in order, starting a new box when the next would pass the budget. */
function pour(samples: Sample[], budget: number): Sample[][] {
  const boxes: Sample[][] = [[]];
  let used = 0;
  for (const sample of samples) {
    const size = Buffer.byteLength(sample.value) + Buffer.byteLength(sample.key) + 2;
    if (boxes[boxes.length - 1].length > 0 && (used + size > budget || boxes[boxes.length - 1].length >= BUDGET.count)) {
      boxes.push([]);
      used = 0;
    }
    boxes[boxes.length - 1].push(sample);
    used += size;
  }
  return boxes;
}

/** The bytes secret files carry may include NUL: a file is bytes, not a C string. */
function secretFileBytes(sample: Sample): Buffer {
  return sample.index % 7 === 0 ? Buffer.concat([Buffer.from(sample.value), Buffer.from([0, 0xff, 0]), Buffer.from(sample.value)]) : Buffer.from(sample.value);
}

/** Env entries, or the NUL-separated entries of /proc/<pid>/environ, by variable name. */
function entriesByName(entries: Buffer[]): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  for (const entry of entries) {
    const i = entry.indexOf(0x3d);
    if (i > 0) map.set(entry.subarray(0, i).toString('utf8'), entry.subarray(i + 1));
  }
  return map;
}

function splitNul(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      parts.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  assert.equal(start, bytes.length, 'the NUL-separated list ends with a NUL');
  return parts;
}

describe('hostile values: env, labels, command arguments and secrets reach containers byte for byte (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let projectDir: string;
  let stack: StackGraph;
  let hosts: OpenHost[] = [];
  let runs: EngineRun[] = [];
  const seed = propertySeed();
  const perEngine = propertyRuns(CI_RUNS);
  let applyMs = 0;
  let readMs = 0;

  /** Failures as replayable reproducers: the string as JSON, its place, the seed. */
  function reproducers(run: EngineRun, bad: { sample: Sample; got: unknown }[]): string {
    return bad.slice(0, 3).map(({ sample, got }) =>
      `  ${run.engine} ${sample.channel} #${sample.index} (key ${JSON.stringify(sample.key)}):\n    sent ${JSON.stringify(sample.value)}\n    got  ${JSON.stringify(got)}`,
    ).join('\n') + `\n  ${bad.length} mismatch(es); replay with HOIST_PROPERTY_SEED=${seed} HOIST_PROPERTY_RUNS=${perEngine}`;
  }

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    console.log(`hostile values: seed ${seed} (replay with HOIST_PROPERTY_SEED=${seed}), ${perEngine} strings per engine`);
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-hostile-'));
    const app = Testing.app({ projectDir });
    const stackConstruct = new Stack(app, STACK);
    const inv = Inventory.fromFile(stackConstruct, 'hosts', `${inventory.dir}/inventory.json`);
    const targets = [inventory.hosts.find((h) => h.engine === 'docker')!, inventory.hosts.find((h) => h.engine === 'podman')!];

    runs = targets.map((target, engineIndex) => {
      const engineSeed = (seed + engineIndex * 0x9e3779b9) >>> 0;
      const strings = hostileStrings(engineSeed, perEngine);
      const names = seededRandom(engineSeed ^ 0x5bd1e995);
      // Shares of the strings per channel; every string goes to exactly one.
      const cut = [0.35, 0.65, 0.9, 0.95].map((f) => Math.round(f * strings.length));
      const channelOf = (i: number): Channel => (i < cut[0] ? 'env' : i < cut[1] ? 'label' : i < cut[2] ? 'argv' : i < cut[3] ? 'secret-file' : 'secret-env');
      const samples = strings.map((value, index): Sample => {
        const channel = channelOf(index);
        const key = channel === 'env' ? hostileEnvName(names, index)
          : channel === 'label' ? `org.example.hostile.${index}`
            : channel === 'secret-file' ? `${target.engine}-sf${index}`
              : channel === 'secret-env' ? `HOIST_SECRET_${index}` : '';
        return { channel, index, value, key };
      });
      const byChannel = (c: Channel) => samples.filter((s) => s.channel === c);
      const poured: Record<Channel, Sample[][]> = {
        env: pour(byChannel('env'), BUDGET.env),
        label: pour(byChannel('label'), BUDGET.labels),
        argv: pour(byChannel('argv'), BUDGET.argv),
        'secret-file': pour(byChannel('secret-file'), BUDGET.secretFiles),
        'secret-env': pour(byChannel('secret-env'), BUDGET.secretEnv),
      };
      const count = Math.max(...Object.values(poured).map((b) => b.length));
      const host = inv.hostsNamed(target.name);
      const boxes: Box[] = [];
      for (let k = 0; k < count; k++) {
        const service = `${target.engine}-${k}`;
        const content = (c: Channel) => poured[c][k] ?? [];
        const secrets = [
          ...content('secret-file').map((s) => {
            const file = path.join(projectDir, 'secrets', s.key);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, secretFileBytes(s), { mode: 0o600 });
            return Secret.fromFile(stackConstruct, `${service}-${s.key}`, file, { secretName: s.key });
          }),
          ...content('secret-env').map((s) => {
            const file = path.join(projectDir, 'secrets', `${target.engine}-env-${s.index}`);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, s.value, { mode: 0o600 });
            return Secret.fromFile(stackConstruct, `${service}-env-${s.index}`, file).asEnv(s.key);
          }),
        ];
        new Service(stackConstruct, service, {
          image: Image.fromRegistry('busybox:latest'),
          command: ['sh', '-c', SCRIPT, 'sh', ...content('argv').map((s) => s.value)],
          environment: Object.fromEntries(content('env').map((s) => [s.key, s.value])),
          labels: Object.fromEntries(content('label').map((s) => [s.key, s.value])),
          secrets,
          placement: { hosts: host },
          replicas: 1,
          // sleep as PID 1 ignores SIGTERM: do not wait for it on removal.
          stopGracePeriod: '1s',
        });
        boxes.push({ service, container: `${STACK}-${service}-1`, samples: Object.values(poured).flatMap((b) => b[k] ?? []) });
      }
      return { host: target.name, engine: target.engine, seed: engineSeed, boxes, read: new Map() };
    });

    const synth = synthesize(app, { fingerprintKey: KEY });
    assert.ok(synth.ok, `synth failed:\n${synth.ok ? '' : synth.problems.slice(0, 20).join('\n')}`);
    stack = JSON.parse(JSON.stringify(synth.graph)).stacks[0];
    hosts = await openAllHosts(stack.hosts, { projectDir: REPO_ROOT, trustNewHosts: false });
    await Promise.all(hosts.map((open) => removeStack(open, STACK)));

    // The apply path of `hoist apply`, minus locks and history: plan, read secrets, execute.
    const started = Date.now();
    const plan = planStack(stack, await observe(), { deleteVolumes: false });
    assert.deepEqual(plan.conflicts, []);
    assert.ok(plan.actions.every((a) => a.kind === 'container' && a.action === 'create'), JSON.stringify(plan.actions.map((a) => [a.kind, a.action, a.name])));
    const secrets = readSecretsForPlan(plan, stack, projectDir, () => KEY);
    assert.deepEqual(secrets.problems, []);
    const result = await executeStackPlan(plan, stack, {
      clients: new Map(hosts.map((h) => [h.spec.name, h.engine])),
      revision: 1,
      secrets: secrets.values,
      imageSecrets: new Map(),
      emit: () => undefined,
      stopRequested: () => false,
      parallelism: 2,
      projectDir,
    });
    applyMs = Date.now() - started;
    const failed = result.outcomes.filter((o) => !o.ok);
    assert.deepEqual(failed.map((o) => `${o.action.name}@${o.action.host}: ${o.error}`), [], 'every container was created and started');
    assert.equal(result.outcomes.length, runs.reduce((n, r) => n + r.boxes.length, 0));
    const reading = Date.now();
    await Promise.all(runs.flatMap((run) => run.boxes.map(async (box) => run.read.set(box.container, await readBack(run, box)))));
    readMs = Date.now() - reading;
  });

  after(async () => {
    await Promise.all(hosts.map(async (open) => {
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }));
    if (projectDir) fs.rmSync(projectDir, { recursive: true, force: true });
  });

  async function observe(): Promise<Map<string, ObservedHostState>> {
    return new Map(await Promise.all(hosts.map(async (h) => [h.spec.name, await readHostState(h.engine, STACK, { inspect: true })] as const)));
  }

  function openFor(run: EngineRun): OpenHost {
    return hosts.find((h) => h.spec.name === run.host)!;
  }

  /** Inspect data and the files PID 1 wrote (once it has written them: bounded wait). */
  async function readBack(run: EngineRun, box: Box): Promise<ReadBack> {
    const docker = rawEngine(openFor(run).engine);
    const deadline = Date.now() + 20_000;
    while (!(await readContainerFiles(docker, box.container, '/tmp/done'))) {
      assert.ok(Date.now() < deadline, `${box.container} on ${run.host} never wrote /tmp/done`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const [inspect, environ, argv, secretFiles] = await Promise.all([
      docker.getContainer(box.container).inspect(),
      readContainerFiles(docker, box.container, '/tmp/environ'),
      readContainerFiles(docker, box.container, '/tmp/argv'),
      box.samples.some((s) => s.channel === 'secret-file') ? readContainerFiles(docker, box.container, '/run/secrets') : undefined,
    ]);
    return {
      env: entriesByName((inspect.Config.Env ?? []).map((e: string) => Buffer.from(e))),
      labels: inspect.Config.Labels ?? {},
      cmd: inspect.Config.Cmd ?? [],
      environ: entriesByName(splitNul(environ!.get('environ')!)),
      argv: splitNul(argv!.get('argv')!),
      secretFiles: secretFiles ?? new Map(),
    };
  }

  it('puts at least the CI count of strings through every channel on both engines (executeStackPlan over SSH)', () => {
    console.log(`hostile values: apply of ${runs.map((r) => `${r.boxes.length} containers on ${r.engine}`).join(' and ')} took ${applyMs} ms, reading them back ${readMs} ms`);
    assert.deepEqual(runs.map((r) => r.engine), ['docker', 'podman']);
    for (const run of runs) {
      const samples = run.boxes.flatMap((b) => b.samples);
      assert.equal(samples.length, perEngine, `${run.engine}: every string has a place`);
      for (const channel of ['env', 'label', 'argv', 'secret-file', 'secret-env'] as Channel[]) {
        assert.ok(samples.filter((s) => s.channel === channel).length >= Math.floor(perEngine * 0.04), `${run.engine}: ${channel} carries its share`);
      }
    }
  });

  it('environment values under hostile names read back exactly from inspect and from the process\'s own /proc/1/environ', () => {
    for (const run of runs) {
      const bad: { sample: Sample; got: unknown }[] = [];
      let checked = 0;
      for (const box of run.boxes) {
        const { env: recorded, environ } = run.read.get(box.container)!;
        for (const sample of box.samples.filter((s) => s.channel === 'env')) {
          checked++;
          const fromInspect = recorded.get(sample.key);
          const fromProcess = environ.get(sample.key);
          if (!fromInspect?.equals(Buffer.from(sample.value))) bad.push({ sample, got: { inspect: fromInspect?.toString('utf8') ?? null } });
          else if (!fromProcess?.equals(Buffer.from(sample.value))) bad.push({ sample, got: { process: fromProcess?.toString('utf8') ?? null } });
        }
      }
      assert.equal(bad.length, 0, `environment values changed on ${run.engine}:\n${reproducers(run, bad)}`);
      assert.ok(checked > 0);
    }
  });

  it('label values read back exactly from inspect', () => {
    for (const run of runs) {
      const bad: { sample: Sample; got: unknown }[] = [];
      for (const box of run.boxes) {
        const { labels } = run.read.get(box.container)!;
        for (const sample of box.samples.filter((s) => s.channel === 'label')) {
          if (labels[sample.key] !== sample.value) bad.push({ sample, got: labels[sample.key] ?? null });
        }
      }
      assert.equal(bad.length, 0, `label values changed on ${run.engine}:\n${reproducers(run, bad)}`);
    }
  });

  it('command arguments reach the process as its argv, byte for byte, and read back from inspect', () => {
    for (const run of runs) {
      const bad: { sample: Sample; got: unknown }[] = [];
      for (const box of run.boxes) {
        const sent = box.samples.filter((s) => s.channel === 'argv');
        const { cmd, argv } = run.read.get(box.container)!;
        assert.deepEqual(cmd.slice(0, 4), ['sh', '-c', SCRIPT, 'sh'], `${run.engine} ${box.container}: the fixed part of the command`);
        assert.equal(argv.length, sent.length, `${run.engine} ${box.container}: argument count`);
        sent.forEach((sample, i) => {
          if (cmd[4 + i] !== sample.value) bad.push({ sample, got: { inspect: cmd[4 + i] ?? null } });
          else if (!argv[i].equals(Buffer.from(sample.value))) bad.push({ sample, got: { process: argv[i].toString('utf8') } });
        });
      }
      assert.equal(bad.length, 0, `command arguments changed on ${run.engine}:\n${reproducers(run, bad)}`);
    }
  });

  it('secret files hold exactly the secret\'s bytes (writeSecretFiles) and secret variables reach the process exactly', () => {
    for (const run of runs) {
      const bad: { sample: Sample; got: unknown }[] = [];
      for (const box of run.boxes) {
        const { secretFiles: files, environ } = run.read.get(box.container)!;
        for (const sample of box.samples) {
          if (sample.channel === 'secret-file') {
            const got = files.get(`secrets/${sample.key}`);
            if (!got?.equals(secretFileBytes(sample))) bad.push({ sample, got: got?.toString('utf8') ?? null });
          } else if (sample.channel === 'secret-env') {
            const got = environ.get(sample.key);
            if (!got?.equals(Buffer.from(sample.value))) bad.push({ sample, got: got?.toString('utf8') ?? null });
          }
        }
      }
      assert.equal(bad.length, 0, `secrets changed on ${run.engine}:\n${reproducers(run, bad)}`);
    }
  });

  it('readHostState then planStack plans nothing: hostile values read back as their spec, no perpetual diff', async () => {
    const observed = await observe();
    for (const run of runs) {
      const containers = observed.get(run.host)!.containers;
      assert.equal(containers.length, run.boxes.length, `${run.engine}: owned containers`);
      for (const box of run.boxes) {
        const want = stack.resources.find((r) => r.kind === 'container' && r.spec.name === box.container);
        const got = containers.find((c) => c.name === box.container);
        assert.ok(want && want.kind === 'container' && got?.spec, `${run.engine}: ${box.container} read back`);
        // Field by field first, so a failure names the variable or label rather than the whole spec.
        const changedEnv = Object.keys(want.spec.env).filter((k) => got.spec!.env[k] !== want.spec.env[k]);
        const changedLabels = Object.keys(want.spec.labels).filter((k) => got.spec!.labels[k] !== want.spec.labels[k]);
        assert.deepEqual([...changedEnv, ...changedLabels].map((k) => JSON.stringify(k)), [], `${run.engine} ${box.container}: env or labels read back differently`);
        assert.deepEqual(got.spec, want.spec, `${run.engine} ${box.container}: the spec reads back as created`);
      }
    }
    const plan: StackPlan = planStack(stack, observed, { deleteVolumes: false });
    assert.deepEqual(plan.conflicts, []);
    assert.deepEqual(plan.actions.map((a) => ({ name: a.name, host: a.host, action: a.action, causes: a.causes.map((c) => ('field' in c ? c.field : c.type)) })), [], 'a plan right after apply changes nothing');
  });
});
