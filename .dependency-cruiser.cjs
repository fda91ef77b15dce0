/**
 * The rooms of docs/DESIGN.md and what each may import, checked by `npm run rooms` (CI runs it,
 * and test/unit/rooms.test.ts runs it inside `npm test`). Type-only imports count: a knot of
 * types is still a knot.
 */
const room = (name, allowed, comment) => ({
  name: `${name}-imports`,
  comment,
  severity: 'error',
  from: { path: `^${name}/` },
  // Packages are the design card's business (docs/DESIGN.md: Chosen parts), not the rooms'.
  to: {
    pathNot: [`^${name}/`, ...allowed, '^node_modules/', '^node:'],
    dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-no-pkg', 'npm-unknown'],
    couldNotResolve: false,
  },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle anywhere in the shipped code, type-only imports included.',
      severity: 'error',
      from: { path: '^(contract|lambda|infra|local|cli)/' },
      to: { circular: true },
    },
    {
      name: 'contract-imports-nothing',
      comment: 'The names the rooms share depend on nothing.',
      severity: 'error',
      from: { path: '^contract/' },
      to: { pathNot: '^contract/' },
    },
    {
      name: 'domain-is-plain',
      comment:
        'The domain knows nothing of AWS, HTTP, XML or any package: only Node itself and the contract.',
      severity: 'error',
      from: { path: '^lambda/checkout/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer'] },
    },
    room('lambda/checkout/model', ['^contract/'], 'Values and their rules: nothing but other values.'),
    room('lambda/checkout/plans', ['^lambda/checkout/model/'], 'Plans read values and write changes.'),
    room('lambda/checkout/views', ['^lambda/checkout/model/'], 'Views show values.'),
    room(
      'lambda/checkout/use-cases',
      ['^lambda/checkout/(model|plans|views)/', '^lambda/checkout/ports\\.ts$', '^contract/'],
      'Use cases run plans against the ports.',
    ),
    {
      name: 'lambda/checkout/ports-imports',
      comment: 'The ports name values and changes, nothing else.',
      severity: 'error',
      from: { path: '^lambda/checkout/ports\\.ts$' },
      to: { pathNot: ['^lambda/checkout/(model|plans)/'] },
    },
    room(
      'lambda/handlers',
      ['^lambda/(wiring|checkout)/', '^contract/'],
      'Thin entries: wiring and the domain.',
    ),
    room('lambda/glase', ['^lambda/checkout/(model|ports)', '^contract/'], 'The Glase adapter translates.'),
    room(
      'lambda/store',
      ['^lambda/checkout/(model|plans|ports)', '^contract/'],
      'The store adapter translates.',
    ),
    room('lambda/events', ['^lambda/checkout/', '^contract/'], 'Order events out.'),
    room('lambda/mail', ['^lambda/checkout/(model|ports)', '^contract/'], 'Mail out.'),
    room('lambda/webhooks', ['^lambda/checkout/(model|ports)', '^contract/'], 'Signed webhooks out.'),
    room('lambda/wiring', ['^lambda/', '^contract/'], 'The composition root.'),
    room('infra', ['^contract/'], 'The CDK app: the contract, never lambda/ internals.'),
    room('local', ['^lambda/', '^contract/'], 'The embedded default.'),
    room(
      'cli',
      ['^lambda/(wiring|checkout)/', '^lambda/webhooks/signature\\.ts$', '^contract/'],
      'The operator CLI: never local/ (webhooks listen checks signatures as a receiver would).',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|dist|bench/\\.out|\\.stryker-tmp)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
