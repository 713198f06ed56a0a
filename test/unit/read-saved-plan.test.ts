import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { canonicalJsonPretty } from '../../lib/graph/canonical-json';
import { FileRefusedError } from '../../lib/graph/file-refused-error';
import { graphHash } from '../../lib/plan/build-plan';
import { readSavedPlanFile } from '../../lib/plan/read-saved-plan';
import { EXAMPLES, exampleGraphText, savedPlanText, scratchDir } from '../helpers/saved-plan';
import { Random } from '../helpers/random';

/**
 * Truncations tried per run. CI runs the default; set HOIST_TRUNCATION_RUNS for more (and
 * HOIST_TRUNCATION_SEED to repeat a run that failed: the failure message gives its seed).
 */
const TRUNCATION_RUNS = Number(process.env.HOIST_TRUNCATION_RUNS ?? 200);
const TRUNCATION_SEED = Number(process.env.HOIST_TRUNCATION_SEED ?? Date.now() % 2 ** 31);

const webappPlan = savedPlanText(JSON.parse(exampleGraphText('webapp')));

/** The webapp example's saved plan, changed by `edit`, written to a file; returns the file. */
function editedPlan(edit: (plan: any) => void): string {
  const plan = JSON.parse(webappPlan);
  edit(plan);
  const file = path.join(scratchDir(), 'plan.json');
  fs.writeFileSync(file, canonicalJsonPretty(plan));
  return file;
}

/** An action of the webapp plan, for editing. */
function action(plan: any, match: (a: any) => boolean): any {
  const found = plan.stacks[0].actions.find(match);
  assert.ok(found, 'the plan has such an action');
  return found;
}

function refusal(file: string): FileRefusedError {
  try {
    readSavedPlanFile(file);
  } catch (error) {
    assert.ok(error instanceof FileRefusedError, `expected a FileRefusedError, got ${(error as Error).stack}`);
    assert.ok(error.message.startsWith(`cannot use the saved plan ${file}: `), 'the message names the file');
    return error;
  }
  assert.fail(`readSavedPlanFile accepted ${file}`);
}

describe('readSavedPlanFile', () => {
  for (const name of EXAMPLES) {
    it(`readSavedPlanFile accepts the plan hoist plan --out saves for the ${name} example, unchanged`, () => {
      const text = savedPlanText(JSON.parse(exampleGraphText(name)));
      const file = path.join(scratchDir(), 'plan.json');
      fs.writeFileSync(file, text);
      const plan = readSavedPlanFile(file);
      assert.deepEqual(plan, JSON.parse(text));
      assert.ok(plan.stacks[0].actions.length > 0, 'a plan with actions, so they were checked');
    });
  }

  it(`readSavedPlanFile refuses the plan cut at ${TRUNCATION_RUNS} random byte offsets (and at its first and last byte), always with the clear error`, () => {
    const bytes = Buffer.from(webappPlan, 'utf8');
    const rng = new Random(TRUNCATION_SEED);
    const next = () => rng.next();
    const offsets = [0, bytes.length - 1, ...Array.from({ length: TRUNCATION_RUNS }, () => Math.floor(next() * bytes.length))];
    const file = path.join(scratchDir(), 'plan.json');
    for (const offset of offsets) {
      fs.writeFileSync(file, bytes.subarray(0, offset));
      const context = `cut at byte ${offset} of ${bytes.length} (HOIST_TRUNCATION_SEED=${TRUNCATION_SEED})`;
      let error: unknown;
      try {
        readSavedPlanFile(file);
      } catch (caught) {
        error = caught;
      }
      assert.ok(error !== undefined, `accepted a plan ${context}`);
      assert.ok(error instanceof FileRefusedError, `threw something other than the clear error, ${context}: ${(error as Error).stack}`);
      assert.match(error.message, /: it (is empty \(cut short, or not written by hoist\)|is not complete JSON .*it was cut short or damaged|does not end with the newline hoist writes after the document; it was cut short); make a new plan with hoist plan --out /, context);
    }
  });

  it('readSavedPlanFile refuses a changed graph_hash', () => {
    const file = editedPlan((p) => { p.graph_hash = `sha256:${'1'.repeat(64)}`; });
    assert.match(refusal(file).message, /^ {2}graph_hash: the plan's graph hashes to sha256:[0-9a-f]{64}, not to the recorded sha256:1{64}; the plan or its graph was changed after hoist plan --out$/m);
  });

  it('readSavedPlanFile refuses a hand-edited host address in the plan\'s graph (valid, but not what was planned)', () => {
    const file = editedPlan((p) => { p.graph.stacks[0].hosts[0].address = '198.51.100.7'; });
    const error = refusal(file);
    assert.match(error.message, /graph_hash: the plan's graph hashes to/);
    assert.match(error.message, /make a new plan with hoist plan --out .*plan\.json, review it, and apply that$/);
  });

  it('readSavedPlanFile refuses a hand-edited builder, which the graph hash covers too', () => {
    const file = editedPlan((p) => {
      const multi = JSON.parse(exampleGraphText('webapp'));
      multi.stacks[0].builders = [{ ...multi.stacks[0].hosts[0], name: 'builder-1', address: '198.51.100.8' }];
      p.graph = multi;
      p.host_fingerprints['builder-1'] = p.host_fingerprints['db-1'];
    });
    assert.match(refusal(file).message, /graph_hash: the plan's graph hashes to/);
    const graph = JSON.parse(exampleGraphText('webapp'));
    const { builders: _none, ...withoutBuilders } = graph.stacks[0];
    assert.deepEqual(graph.stacks[0].builders, []);
    assert.equal(graphHash({ ...graph, stacks: [withoutBuilders] }), graphHash(graph), 'graphs without builders keep the hash they had before builders counted');
  });

  it('readSavedPlanFile refuses a hand-edited spec in the plan\'s graph, with its JSON path', () => {
    const file = editedPlan((p) => { p.graph.stacks[0].resources.find((r: any) => r.kind === 'container').spec.user = 'root'; });
    assert.match(refusal(file).message, /^ {2}graph\.stacks\[0\]\.resources\[\d+\]\.hash: the spec of container:shop\/app\/web#1@web-1 does not match its recorded hash/m);
  });

  for (const hostile of ['shop-web-1;reboot', 'shop-$(reboot)', 'shop-web-1\nreboot', '-shop-web-1']) {
    it(`readSavedPlanFile refuses an action whose engine name breaks the engine's rules: ${JSON.stringify(hostile)}`, () => {
      const file = editedPlan((p) => {
        action(p, (a) => a.kind === 'container').name = hostile;
        action(p, (a) => a.kind === 'volume').name = hostile;
      });
      const error = refusal(file);
      assert.equal(error.problems.filter((x) => /^stacks\[0\]\.actions\[\d+\]\.name: .* is not a valid name/.test(x)).length, 2, error.message);
      assert.ok(!error.message.includes('\nreboot'), 'a newline in a name is shown escaped, never printed');
    });
  }

  it('readSavedPlanFile refuses a deletion by a name no engine object can have, though deletions name no graph resource', () => {
    const file = editedPlan((p) => {
      p.stacks[0].actions.push({ step: 9, host: 'web-1', kind: 'network', resource: 'network:shop/old@web-1', name: '../../containers/x', action: 'delete', causes: [{ type: 'removed-from-graph' }] });
      p.summary.delete = 1;
    });
    assert.match(refusal(file).message, /stacks\[0\]\.actions\[\d+\]\.name: "\.\.\/\.\.\/containers\/x" is not a valid name/);
  });

  it('readSavedPlanFile refuses an action on a host the graph does not have, and a host without a fingerprint', () => {
    const file = editedPlan((p) => {
      action(p, (a) => a.kind === 'container' && a.host === 'web-2').host = 'web-9';
      delete p.host_fingerprints['db-1'];
      p.host_fingerprints['web-9'] = p.host_fingerprints['web-1'];
    });
    const error = refusal(file);
    assert.match(error.message, /^ {2}host_fingerprints\["web-9"\]: "web-9" is not a host or builder of the plan's graph$/m);
    assert.match(error.message, /host_fingerprints: no fingerprint for db-1, a host of the plan's graph/);
    assert.match(error.message, /stacks\[0\]\.actions\[\d+\]\.host: "web-9" is not a host or builder of stack shop \(db-1, web-1, web-2\)/);
  });

  it('readSavedPlanFile refuses an action renamed to another valid name, and a summary that does not count the actions', () => {
    const file = editedPlan((p) => {
      action(p, (a) => a.kind === 'container' && a.host === 'web-1' && a.resource.startsWith('container:shop/app/web')).name = 'shop-other-1';
      p.summary.create -= 1;
    });
    const error = refusal(file);
    assert.match(error.message, /\.name: "shop-other-1" is not the name the graph gives container:shop\/app\/web#1@web-1 \("shop-web-1"\)/);
    const counts = /summary\.create: says (\d+), but the plan has (\d+) create actions/.exec(error.message);
    assert.ok(counts && Number(counts[2]) === Number(counts[1]) + 1, error.message);
  });

  it('readSavedPlanFile refuses a plan of another major format version, saying which it has, which this hoist reads, and what to do', () => {
    const file = editedPlan((p) => { p.format_version = '2.0'; });
    assert.match(refusal(file).message, /it has format version 2\.0, and this hoist reads format 1\.x \(it writes 1\.0\); make a new plan with this hoist \(hoist plan --out .*plan\.json\), or apply it with the hoist version that made it$/);
  });

  it('readSavedPlanFile refuses the plan hoist plan --json prints, which holds no graph', () => {
    const file = editedPlan((p) => { delete p.graph; });
    assert.match(refusal(file).message, /^ {2}graph: missing \(expected object\)$/m);
  });

  it('readSavedPlanFile refuses a plan whose graph is of another major version', () => {
    const file = editedPlan((p) => {
      p.graph.formatVersion = '2.0';
      p.graph_hash = graphHash(p.graph);
    });
    assert.match(refusal(file).message, /^ {2}graph\.formatVersion: it has format version 2\.0, and this hoist reads format 1\.x/m);
  });

  it('readSavedPlanFile accepts members it does not know, as the format says readers must', () => {
    const file = editedPlan((p) => {
      p.format_version = '1.3';
      p.reviewer = 'someone';
      p.stacks[0].actions[0].note = 'a later minor version may add this';
    });
    assert.equal(readSavedPlanFile(file).format_version, '1.3');
  });
});
