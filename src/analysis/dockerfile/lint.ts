import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { SENSITIVE_PORTS } from '../misconfig/checks/config.js';
import type { MisconfigFinding, MisconfigLocation, Severity } from '../misconfig/types.js';
import { sensitiveEnvName } from '../secrets/env.js';
import { isPlaceholder } from '../secrets/text.js';
import { DOCKERFILE_RULES, type DockerfileRule } from './rules.js';
import { hasFlag, parseRun, type SimpleCommand } from './shell.js';

export interface LintOptions {
  /** Reported as the location's path. */
  path?: string;
}

interface Stage {
  from: Instruction;
  name?: string;
  /** Last USER value (inherited from the parent stage when FROM names one). */
  user?: string;
  userInstruction?: Instruction;
  cmds: number;
  entrypoints: number;
  healthcheck: boolean;
  buildTools?: Instruction;
}

type Range = ReturnType<Instruction['getRange']>;

const ARCHIVE = /\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i;
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'python', 'python3', 'perl', 'ruby', 'node']);
const BUILD_PACKAGES = /^(?:gcc(?:-\d+)?|g\+\+(?:-\d+)?|make|cmake|build-essential|build-base|clang(?:-\d+)?|golang(?:-[\d.]+)?(?:-go)?|go|rustc|cargo|maven|gradle|musl-dev|libc6?-dev|openjdk-\d+-jdk(?:-headless)?|nodejs-dev)$/;
const INSTALLERS: Record<string, string> = { 'apt-get': 'install', apt: 'install', apk: 'add', yum: 'install', dnf: 'install', microdnf: 'install', zypper: 'install' };

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

export class DockerfileLinter {
  private readonly findings: MisconfigFinding[] = [];
  private readonly stages: Stage[] = [];

  constructor(private readonly options: LintOptions = {}) {}

  private location(range: Range): MisconfigLocation {
    const loc: MisconfigLocation = {
      kind: 'dockerfile',
      startLine: range.start.line + 1,
      endLine: range.end.line + 1,
      startColumn: range.start.character + 1,
      endColumn: range.end.character + 1,
    };
    if (this.options.path) loc.path = this.options.path;
    return loc;
  }

  private report(rule: DockerfileRule, at: Instruction, message: string, severity?: Severity): void {
    this.findings.push({
      id: rule.id,
      title: rule.title,
      severity: severity ?? rule.severity,
      message,
      remediation: rule.remediation,
      references: rule.references,
      location: this.location(at.getRange()),
    });
  }

  lint(content: string): MisconfigFinding[] {
    const dockerfile = DockerfileParser.parse(content);
    for (const ins of dockerfile.getInstructions()) {
      const keyword = ins.getKeyword();
      if (keyword === 'FROM') {
        this.from(ins);
        continue;
      }
      const stage = this.stages.at(-1);
      if (!stage) continue; // instructions before the first FROM (ARG) belong to no stage
      switch (keyword) {
        case 'USER':
          stage.user = ins.getArgumentsContent() ?? '';
          stage.userInstruction = ins;
          break;
        case 'ADD':
          this.add(ins);
          break;
        case 'RUN':
          this.run(ins, stage);
          break;
        case 'EXPOSE':
          this.expose(ins);
          break;
        case 'ENV':
        case 'ARG':
          this.variables(ins, keyword);
          break;
        case 'MAINTAINER':
          this.report(DOCKERFILE_RULES.maintainer, ins, 'MAINTAINER is deprecated.');
          break;
        case 'CMD':
          if (++stage.cmds > 1) this.report(DOCKERFILE_RULES.multipleCmd, ins, 'More than one CMD in this stage; only the last takes effect.');
          break;
        case 'ENTRYPOINT':
          if (++stage.entrypoints > 1) this.report(DOCKERFILE_RULES.multipleCmd, ins, 'More than one ENTRYPOINT in this stage; only the last takes effect.');
          break;
        case 'WORKDIR': {
          const dir = ins.getArgumentsContent() ?? '';
          if (dir !== '' && !/^(?:\/|\$|[A-Za-z]:[\\/]|["']\/)/.test(dir)) this.report(DOCKERFILE_RULES.relativeWorkdir, ins, `WORKDIR "${dir}" is relative.`);
          break;
        }
        case 'HEALTHCHECK':
          stage.healthcheck = !/^NONE\b/i.test(ins.getArgumentsContent() ?? '');
          break;
      }
    }
    this.finish();
    return this.findings.sort((a, b) => (a.location?.startLine ?? 0) - (b.location?.startLine ?? 0));
  }

  private from(ins: Instruction): void {
    const args = ins.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
    const image = args[0] ?? '';
    const asIdx = args.findIndex((a) => a.toLowerCase() === 'as');
    const name = asIdx > 0 ? args[asIdx + 1]?.toLowerCase() : undefined;
    const parent = this.stages.find((s) => s.name !== undefined && s.name === image.toLowerCase());
    const stage: Stage = { from: ins, cmds: 0, entrypoints: 0, healthcheck: parent?.healthcheck ?? false };
    if (name) stage.name = name;
    if (parent?.user !== undefined) stage.user = parent.user;
    if (parent?.userInstruction) stage.userInstruction = parent.userInstruction;
    this.stages.push(stage);
    if (parent || image === 'scratch' || image.includes('$') || image === '') return;
    const at = image.indexOf('@');
    const ref = at === -1 ? image : image.slice(0, at);
    const digest = at !== -1;
    const colon = ref.lastIndexOf(':');
    const tag = colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
    if (digest) return;
    if (tag === undefined) this.report(DOCKERFILE_RULES.unpinnedBase, ins, `Base image "${image}" has no tag (it means :latest).`);
    else if (tag === 'latest') this.report(DOCKERFILE_RULES.unpinnedBase, ins, `Base image "${image}" uses the :latest tag.`);
  }

  private add(ins: Instruction): void {
    const args = ins.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
    const sources = args.slice(0, -1);
    const remote = sources.filter((s) => /^(?:https?|git|ssh):\/\/|^git@/.test(s));
    if (remote.length > 0) {
      this.report(DOCKERFILE_RULES.remoteAdd, ins, `ADD fetches ${remote.join(', ')} from the network.`);
      return;
    }
    if (sources.some((s) => !ARCHIVE.test(s))) this.report(DOCKERFILE_RULES.addInsteadOfCopy, ins, 'ADD copies local files; use COPY.');
  }

  private run(ins: Instruction, stage: Stage): void {
    const content = ins.getArgumentsContent() ?? '';
    const pipelines = parseRun(content);
    // RUN flags (`--mount=type=cache,target=/var/lib/apt`) are not part of the arguments.
    const flags = (ins as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags();
    const aptCacheMount = flags.some((f) => f.getName() === 'mount' && (f.getValue() ?? '').includes('/var/lib/apt'));
    const cleansLists = /\brm\s+(?:-\S+\s+)*\/var\/lib\/apt\/lists/.test(content) || aptCacheMount;
    const seen = new Set<string>();
    const once = (rule: DockerfileRule, message: string) => {
      if (seen.has(rule.id)) return;
      seen.add(rule.id);
      this.report(rule, ins, message);
    };
    for (const pipeline of pipelines) {
      for (const cmd of pipeline) this.command(cmd, stage, ins, cleansLists, once);
      const [first, ...rest] = pipeline;
      if (first && ['curl', 'wget'].includes(basename(first.words[0] ?? '')) && rest.some((c) => SHELLS.has(basename(c.words[0] ?? '')))) {
        once(DOCKERFILE_RULES.curlPipeShell, `${basename(first.words[0]!)} output is piped into a shell.`);
      }
    }
  }

  private command(cmd: SimpleCommand, stage: Stage, ins: Instruction, cleansLists: boolean, once: (r: DockerfileRule, m: string) => void): void {
    const w = cmd.words;
    const tool = basename(w[0] ?? '');
    if (cmd.sudo || tool === 'sudo') once(DOCKERFILE_RULES.sudo, 'RUN uses sudo.');
    if (tool === 'apt-get' || tool === 'apt') {
      if (w.includes('install')) {
        if (!hasFlag(w, 'y', ['--yes', '--assume-yes'])) once(DOCKERFILE_RULES.aptNoYes, `${tool} install without -y.`);
        if (!w.includes('--no-install-recommends') && !w.some((x) => x.includes('Install-Recommends=false')))
          once(DOCKERFILE_RULES.aptRecommends, `${tool} install without --no-install-recommends.`);
        if (!cleansLists) once(DOCKERFILE_RULES.aptLists, `${tool} install without removing /var/lib/apt/lists in the same RUN.`);
      }
      const upgrade = w.find((x) => ['upgrade', 'dist-upgrade', 'full-upgrade'].includes(x));
      if (upgrade) once(DOCKERFILE_RULES.aptUpgrade, `${tool} ${upgrade} in the build.`);
    }
    if (tool === 'apk' && w.includes('add') && !w.includes('--no-cache')) once(DOCKERFILE_RULES.apkCache, 'apk add without --no-cache.');
    const verb = INSTALLERS[tool];
    if (verb && w.includes(verb)) {
      const pkgs = w.slice(w.indexOf(verb) + 1).filter((x) => !x.startsWith('-')).map((x) => x.split('=')[0]!);
      if (pkgs.some((p) => BUILD_PACKAGES.test(p))) stage.buildTools ??= ins;
    }
    if ((tool === 'go' && w[1] === 'build') || (tool === 'cargo' && w[1] === 'build') || ['gcc', 'make', 'mvn', 'gradle'].includes(tool)) stage.buildTools ??= ins;
  }

  private expose(ins: Instruction): void {
    for (const arg of ins.getArguments().map((a) => a.getValue())) {
      const port = Number(arg.split('/')[0]);
      const service = SENSITIVE_PORTS[port];
      if (service) this.report(DOCKERFILE_RULES.exposeSensitive, ins, `EXPOSE ${arg} (${service}).`);
    }
  }

  private variables(ins: Instruction, keyword: 'ENV' | 'ARG'): void {
    // Both classes derive from PropertyInstruction; the parser's typings expose it on each.
    const props = (ins as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties();
    for (const p of props) {
      const name = p.getName();
      if (!sensitiveEnvName(name)) continue;
      const value = p.getValue() ?? '';
      if (keyword === 'ENV' && !isPlaceholder(value)) {
        this.report(DOCKERFILE_RULES.secretsInEnv, ins, `ENV ${name} sets a credential that stays in the image config.`);
      } else if (keyword === 'ARG') {
        this.report(DOCKERFILE_RULES.secretsInEnv, ins, `ARG ${name}: build arguments are recorded in the image history.`, value && !isPlaceholder(value) ? 'HIGH' : 'MEDIUM');
      }
    }
  }

  private finish(): void {
    const last = this.stages.at(-1);
    if (!last) return;
    const user = (last.user ?? '').trim().split(':')[0];
    if (user === '' || user === 'root' || user === '0') {
      if (last.userInstruction && last.user !== undefined && user !== '') this.report(DOCKERFILE_RULES.rootUser, last.userInstruction, `The last USER is "${last.user}".`);
      else this.report(DOCKERFILE_RULES.rootUser, last.from, 'The final stage sets no USER, so the image runs as root.');
    }
    if (!last.healthcheck) this.report(DOCKERFILE_RULES.noHealthcheck, last.from, 'The final stage has no HEALTHCHECK.');
    if (this.stages.length === 1 && last.buildTools) {
      this.report(DOCKERFILE_RULES.noMultiStage, last.buildTools, 'Build tools are installed or run in the only stage; they end up in the runtime image.');
    }
  }
}

/** Lints a Dockerfile's text; findings carry 1-based line/column ranges (SARIF regions). */
export function lintDockerfile(content: string, options: LintOptions = {}): MisconfigFinding[] {
  return new DockerfileLinter(options).lint(content);
}
