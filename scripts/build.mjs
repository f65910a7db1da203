// Compiles apps/ and libs/ to dist/ with SWC (ES modules, decorator metadata), rewriting the
// @bank/* path aliases to relative imports so that plain `node dist/apps/<app>/src/main.js` runs.
// Type checking is `npm run typecheck` (tsc --noEmit); SWC only strips types.
import { transformFile } from '@swc/core';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist');
const isSource = (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !/\.(spec|e2e-spec|int-spec)\.ts$/.test(f);

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (isSource(entry.name)) yield full;
  }
}

export const swcOptions = {
  sourceMaps: true,
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2023',
    keepClassNames: true,
    baseUrl: root,
    paths: {
      '@bank/common/config': ['libs/common/src/config/index.ts'],
      '@bank/messaging/config': ['libs/messaging/src/config.ts'],
      '@bank/*': ['libs/*/src/index.ts'],
    },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
  module: { type: 'es6', resolveFully: true },
};

await rm(outDir, { recursive: true, force: true });
const jobs = [];
for (const top of ['apps', 'libs']) {
  for await (const file of walk(path.join(root, top))) {
    jobs.push(
      (async () => {
        const { code, map } = await transformFile(file, { ...swcOptions, filename: file });
        const dest = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
        await mkdir(path.dirname(dest), { recursive: true });
        await writeFile(dest, `${code}\n//# sourceMappingURL=${path.basename(dest)}.map\n`);
        if (map) await writeFile(`${dest}.map`, map);
      })(),
    );
  }
}
// The page at /ui/ (apps/orchestrator/web): its TypeScript modules are compiled above like the rest and
// load in the browser as they are (ES modules, relative imports); its HTML and CSS are copied beside them.
const web = path.join(root, 'apps/orchestrator/web');
for (const entry of await readdir(web)) {
  if (!/\.(html|css)$/.test(entry)) continue;
  const dest = path.join(outDir, 'apps/orchestrator/web', entry);
  jobs.push(mkdir(path.dirname(dest), { recursive: true }).then(() => copyFile(path.join(web, entry), dest)));
}
await Promise.all(jobs);
process.stdout.write(`built ${jobs.length} files into dist/\n`);
