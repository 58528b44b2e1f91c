import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

// A CommonJS function whose typings declare it as a default export.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof import('@balena/dockerignore').default;

// No Docker engine runs where the tests do, so the image is checked from its recipe: the final
// stage of the Dockerfile as data (parsed with dockerfile-ast, the parser behind the Docker
// language server), and its /app assembled on disk from the COPY lines and .dockerignore, so
// its CMD and HEALTHCHECK can run as they would in a container.

export interface CopyLine {
  /** --from=<stage>, or null for the build context. */
  from: string | null;
  sources: string[];
  dest: string;
}

export interface ImageRecipe {
  stages: { name: string | null; image: string }[];
  /** Of the final stage. */
  env: Record<string, string>;
  workdir: string | null;
  user: string | null;
  exposed: string[];
  cmd: string[] | null;
  /** The shell form of CMD, if it was written that way (signals would go to a shell). */
  cmdShell: string | null;
  entrypoint: string[] | null;
  healthcheck: { flags: Record<string, string>; cmd: string[] } | null;
  copies: CopyLine[];
  runs: string[];
}

export function readImageRecipe(dockerfile: string): ImageRecipe {
  const df = DockerfileParser.parse(fs.readFileSync(dockerfile, 'utf8'));
  const froms = df.getFROMs();
  const stages = froms.map((f) => ({
    name: f.getBuildStage(),
    image: f.getExpandedArguments()[0]?.getValue() ?? '',
  }));
  const final = df.getContainingImage(froms.at(-1)!.getRange().start)!;
  const args = (i: Instruction) => i.getExpandedArguments().map((a) => a.getValue());
  const json = (i: Instruction, skip = 0): string[] | null => {
    const text = args(i).slice(skip).join(' ');
    return text.startsWith('[') ? (JSON.parse(text) as string[]) : null;
  };

  const env: Record<string, string> = {};
  for (const e of final.getENVs()) for (const p of e.getProperties()) env[p.getName()] = p.getUnescapedValue() ?? '';
  const cmd = final.getCMDs().at(-1);
  const entrypoint = final.getENTRYPOINTs().at(-1);
  const hc = final.getHEALTHCHECKs().at(-1);
  let healthcheck: ImageRecipe['healthcheck'] = null;
  if (hc && hc.getSubcommand()?.getValue().toUpperCase() === 'CMD') {
    const flags = Object.fromEntries(hc.getFlags().map((f) => [f.getName(), f.getValue() ?? '']));
    const rest = args(hc);
    healthcheck = { flags, cmd: JSON.parse(rest.slice(rest.findIndex((a) => a.toUpperCase() === 'CMD') + 1).join(' ')) };
  }
  const byKeyword = (k: string) => final.getInstructions().filter((i) => i.getKeyword() === k);
  return {
    stages,
    env,
    workdir: byKeyword('WORKDIR').at(-1) ? args(byKeyword('WORKDIR').at(-1)!)[0]! : null,
    user: byKeyword('USER').at(-1) ? args(byKeyword('USER').at(-1)!)[0]! : null,
    exposed: byKeyword('EXPOSE').flatMap(args),
    cmd: cmd ? json(cmd) : null,
    cmdShell: cmd && !json(cmd) ? args(cmd).join(' ') : null,
    entrypoint: entrypoint ? json(entrypoint) : null,
    healthcheck,
    copies: final.getCOPYs().map((c) => {
      const parts = args(c).filter((a) => !a.startsWith('--'));
      return { from: c.getFromFlag()?.getValue() ?? null, sources: parts.slice(0, -1), dest: parts.at(-1)! };
    }),
    runs: byKeyword('RUN').map((r) => args(r).join(' ')),
  };
}

/** The build context as `docker build` would send it: every file .dockerignore lets through. */
export function contextFiles(root: string): Set<string> {
  const ignore = dockerignore().add(fs.readFileSync(path.join(root, '.dockerignore'), 'utf8'));
  const files = new Set<string>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === 'node_modules' || entry.name === '.git') {
        if (!ignore.ignores(child)) files.add(child); // reported as a mistake by the caller
        continue;
      }
      if (entry.isDirectory()) walk(child);
      else if (!ignore.ignores(child)) files.add(child);
    }
  };
  walk('');
  return files;
}

/**
 * Lays out the final stage's WORKDIR in `dir`: the context files each COPY names, and for
 * `COPY --from=<stage> /app/node_modules` the production packages of the lockfile (symlinked from
 * this checkout, so code that needs a devDependency fails here as in the image). Throws when a
 * COPY names something the context does not hold (docker build would fail the same way).
 */
export function assembleImage(recipe: ImageRecipe, root: string, dir: string): void {
  const context = contextFiles(root);
  const workdir = recipe.workdir ?? '/';
  for (const copy of recipe.copies) {
    const dest = path.join(dir, path.relative(workdir, path.resolve(workdir, copy.dest)));
    if (copy.from) {
      if (!copy.sources.every((s) => s.endsWith('/node_modules'))) throw new Error(`cannot lay out COPY --from=${copy.from} ${copy.sources.join(' ')}`);
      linkProductionModules(root, dest);
      continue;
    }
    const toDir = copy.dest.endsWith('/') || copy.sources.length > 1;
    for (const source of copy.sources) {
      const src = path.normalize(source).replace(/\/$/, '');
      const inside = [...context].filter((f) => f.startsWith(`${src}/`));
      if (context.has(src)) {
        const target = toDir ? path.join(dest, path.basename(src)) : dest;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(root, src), target);
      } else if (inside.length > 0) {
        // COPY <dir> <dest> copies the folder's contents into dest.
        for (const file of inside) {
          const target = path.join(dest, file.slice(src.length + 1));
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.copyFileSync(path.join(root, file), target);
        }
      } else {
        throw new Error(`COPY ${source}: not in the build context (missing, or excluded by .dockerignore)`);
      }
    }
  }
}

function linkProductionModules(root: string, dest: string): void {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  fs.mkdirSync(dest, { recursive: true });
  for (const [key, info] of Object.entries(lock.packages)) {
    // Top-level packages only: nested ones travel inside their parent's folder.
    const name = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key)?.[1];
    // What npm ci --omit=dev leaves out.
    if (!name || info.dev || info.devOptional || !fs.existsSync(path.join(root, key))) continue;
    fs.mkdirSync(path.dirname(path.join(dest, name)), { recursive: true });
    fs.symlinkSync(path.join(root, key), path.join(dest, name), 'dir');
  }
}
