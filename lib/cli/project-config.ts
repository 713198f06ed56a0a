import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { rejectUnknownKeys } from '../schemas/unknown-keys';
import { zodProblems } from '../schemas/zod-problems';
import { CliError } from './cli-error';

/** The project file that tells the CLI how to run the user's program. */
export const PROJECT_FILE = 'hoist.json';

const projectFileSchema = z.strictObject({
  app: z.union([
    z.string().min(1),
    z.array(z.string().min(1)).min(1),
  ], { error: 'expected "app" to be a program file (e.g. "main.ts") or a command as a list (e.g. ["python3", "main.py"])' }).optional(),
  output: z.string().min(1).optional(),
}, { error: rejectUnknownKeys });

/** How to run the project's program, resolved from hoist.json and the command line. */
export interface ProjectConfig {
  readonly projectDir: string;
  /** A program file run with Node (TypeScript through tsx), or a command (argv) for other languages. */
  readonly app: { readonly kind: 'file'; readonly file: string } | { readonly kind: 'command'; readonly argv: string[] };
  /** Output directory, absolute. */
  readonly outdir: string;
}

/** Options from the command line that override hoist.json. */
export interface ProjectOverrides {
  readonly app?: string;
  readonly output?: string;
}

/**
 * Reads hoist.json in `projectDir` (optional): `{ "app": "main.ts", "output": "hoist.out" }`.
 * Without it, the program is `main.ts`.
 */
export function loadProjectConfig(projectDir: string, overrides: ProjectOverrides = {}): ProjectConfig {
  const file = path.join(projectDir, PROJECT_FILE);
  let data: z.infer<typeof projectFileSchema> = {};
  if (fs.existsSync(file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new CliError(`${file}: not valid JSON (${(error as Error).message}); fix it, or delete it to use main.ts`);
    }
    const parsed = projectFileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new CliError(`${file}: ${zodProblems(parsed.error).join('; ')}`);
    }
    data = parsed.data;
  }
  const appSetting = overrides.app ?? data.app ?? 'main.ts';
  const outdir = path.resolve(projectDir, overrides.output ?? data.output ?? 'hoist.out');
  if (Array.isArray(appSetting)) {
    return { projectDir, app: { kind: 'command', argv: appSetting }, outdir };
  }
  const programFile = path.resolve(projectDir, appSetting);
  if (!fs.existsSync(programFile)) {
    const hint = fs.existsSync(file) ? `check "app" in ${PROJECT_FILE}` : `create ${appSetting}, or a ${PROJECT_FILE} naming your program ({"app": "src/main.ts"})`;
    throw new CliError(`program ${path.relative(process.cwd(), programFile) || programFile} not found in ${projectDir}; ${hint}`);
  }
  return { projectDir, app: { kind: 'file', file: programFile }, outdir };
}
