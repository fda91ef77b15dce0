import config from './jest.config.js';

/** The `unit` project alone, as Stryker runs it for each mutant (no Java, no network). */
const unit = config.projects.find((project) => project.displayName === 'unit');
export default { ...unit, testTimeout: config.testTimeout };
