export { lintDockerfile, DockerfileLinter, type LintOptions } from './lint.js';
export { DOCKERFILE_RULES, type DockerfileRule } from './rules.js';
export type { MisconfigFinding as DockerfileFinding } from '../misconfig/types.js';
