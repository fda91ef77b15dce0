import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAILURE_CODES } from '../../contract/metrics.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every Markdown page a reader may open: the README and everything under docs/. */
function pages(directory = join(root, 'docs')): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return pages(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** A heading's anchor as GitHub makes it: lower case, punctuation gone, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => slug(match[1] as string)));
}

const all = [join(root, 'README.md'), ...pages()];

describe('the docs', () => {
  it('keep the README the front door: at most 400 lines', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(400);
  });

  it.each(all.map((file) => [relative(root, file), file]))(
    '%s: every relative link leads somewhere',
    (_name, file) => {
      const text = readFileSync(file as string, 'utf8').replace(/```[\s\S]*?```/g, '');
      const broken: string[] = [];
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        // Site-absolute links are Glase's own, in its documents' copies.
        if (!target || /^(https?:|mailto:|\/)/.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const resolved = path ? resolve(dirname(file as string), path) : (file as string);
        if (!existsSync(resolved)) broken.push(`${target}: no such file`);
        else if (anchor && statSync(resolved).isFile() && !anchors(resolved).has(anchor)) {
          broken.push(`${target}: no heading #${anchor}`);
        }
      }
      expect(broken).toEqual([]);
    },
  );
});

describe('docs/http-api.md and the dashboard agree', () => {
  it('every error code a caller can get from the functions is a failure reason the dashboard draws', () => {
    const page = readFileSync(join(root, 'docs/http-api.md'), 'utf8');
    const table = page.slice(
      page.indexOf('| status | code'),
      page.indexOf('\n\n', page.indexOf('| status | code')),
    );
    const codes = table
      .split('\n')
      .flatMap((row) =>
        [...(row.split('|')[2] ?? '').matchAll(/`([A-Z_]+)`/g)].map((match) => match[1] as string),
      );
    // WAF's and API Gateway's own refusals never reach a function, so nothing counts them there.
    const outsideTheFunctions = new Set(['FORBIDDEN', 'TOO_MANY_REQUESTS', 'THROTTLED']);
    const drawn = new Set<string>(FAILURE_CODES);
    expect(codes.length).toBeGreaterThan(15);
    expect(codes.filter((code) => !outsideTheFunctions.has(code) && !drawn.has(code))).toEqual([]);
  });
});
