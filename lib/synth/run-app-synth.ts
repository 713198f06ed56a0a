import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SynthRoot } from './synth-root';
import { canonicalJsonPretty } from '../graph/canonical-json';
import { writeFileAtomic } from '../values/write-file-atomic';
import { PIPELINES_FILE } from '../graph/pipeline-document';
import { synthesize } from './synthesize';
import { REPORT_FILE_ENV, summarize, SYNTH_MODE_ENV, SynthReport } from './synth-report';
import { ValidationError } from './validation-error';

/** The graph file's name inside the output directory. */
export const GRAPH_FILE = 'graph.json';

/**
 * `App.synth()`: validate, then write `graph.json` atomically (a reader never sees half a
 * file, and a failed synth leaves the previous graph in place). Under `hoist validate`
 * nothing is written. Under the CLI the outcome also goes to the report file.
 */
export function runAppSynth(app: SynthRoot): void {
  app.node.lock();
  const result = synthesize(app);
  const reportFile = process.env[REPORT_FILE_ENV];
  const writeReport = (report: SynthReport) => {
    if (reportFile) fs.writeFileSync(reportFile, JSON.stringify(report));
  };
  if (!result.ok) {
    writeReport({ ok: false, problems: result.problems });
    throw new ValidationError(result.problems);
  }
  let graphFile: string | null = null;
  if (process.env[SYNTH_MODE_ENV] !== 'validate') {
    const outdir = path.resolve(app.projectDir, app.outdir);
    fs.mkdirSync(outdir, { recursive: true });
    graphFile = path.join(outdir, GRAPH_FILE);
    writeFileAtomic(graphFile, canonicalJsonPretty(result.graph), { mode: 0o600 });
    // Written every time, empty when the app has no pipeline, so it never describes an older program.
    writeFileAtomic(path.join(outdir, PIPELINES_FILE), canonicalJsonPretty(result.pipelines), { mode: 0o600 });
  }
  writeReport({ ok: true, graphFile, summary: summarize(result.graph) });
}
