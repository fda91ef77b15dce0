import { changedPaths, developerState } from './working-tree.mjs';

export default async function globalTeardown() {
  await globalThis.__dynamo?.stop();
  const changed = changedPaths(globalThis.__developerState ?? {}, developerState());
  if (changed.length > 0) {
    // A test wrote where `npm start` keeps the developer's own state: that is a bug in the test.
    throw new Error(`tests wrote into the working tree: ${changed.join(', ')}`);
  }
}
