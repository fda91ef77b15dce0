import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Where `npm start` keeps a developer's own state; no test may touch it. */
const DEVELOPER_STATE = join(root, '.local');

/** Every file under the developer's `.local/`, with its size and last change. */
export function developerState() {
  const files = {};
  const walk = (dir) => {
    let entries = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const { size, mtimeMs } = statSync(path);
        files[path.slice(root.length)] = `${size}@${mtimeMs}`;
      }
    }
  };
  walk(DEVELOPER_STATE);
  return files;
}

/** The paths that differ between two snapshots: what a test wrote into the working tree. */
export function changedPaths(before, after) {
  const paths = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...paths].filter((path) => before[path] !== after[path]).sort();
}
