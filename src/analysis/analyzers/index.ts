import type { Analyzer } from '../analyzer.js';
import { apkAnalyzer } from './apk.js';
import { goBinaryAnalyzer } from './binary/go.js';
import { rustBinaryAnalyzer } from './binary/rust.js';
import { cargoLockAnalyzer } from './cargo-lock.js';
import { dotnetDepsAnalyzer } from './dotnet.js';
import { dpkgAnalyzer } from './dpkg/index.js';
import { javaArchiveAnalyzer } from './java/index.js';
import { npmLockAnalyzer } from './npm-lock.js';
import { npmAnalyzer } from './npm.js';
import { osReleaseAnalyzer } from './os-release.js';
import { composerInstalledAnalyzer, composerLockAnalyzer } from './php.js';
import { pythonLockAnalyzer } from './python-lock.js';
import { pythonAnalyzer } from './python.js';
import { rpmAnalyzer } from './rpm/index.js';
import { gemfileLockAnalyzer, gemspecAnalyzer } from './ruby.js';

/**
 * Image analyzers: evidence of what is installed. os-release comes first: the engine hands its
 * OsInfo to the OS package analyzers of the same layer (purl distro, ecosystem).
 *
 * Lock files are not in this list: in an image they restate packages that are already found
 * installed (node_modules/.package-lock.json lists the same packages as their package.json
 * files), so counting them would report every package twice. Scanners agree (Trivy disables its
 * lock-file analyzers for images).
 */
export const ANALYZERS: Analyzer[] = [
  osReleaseAnalyzer,
  dpkgAnalyzer,
  apkAnalyzer,
  rpmAnalyzer,
  npmAnalyzer,
  pythonAnalyzer,
  goBinaryAnalyzer,
  rustBinaryAnalyzer,
  javaArchiveAnalyzer,
  gemspecAnalyzer,
  composerInstalledAnalyzer,
  dotnetDepsAnalyzer,
];

/** Lock-file analyzers, for scanning a source tree (what a build would install). */
export const LOCKFILE_ANALYZERS: Analyzer[] = [
  npmLockAnalyzer,
  pythonLockAnalyzer,
  gemfileLockAnalyzer,
  cargoLockAnalyzer,
  composerLockAnalyzer,
];

/** Every analyzer, for a source-tree scan (a repository checkout with both kinds of files). */
export const ALL_ANALYZERS: Analyzer[] = [...ANALYZERS, ...LOCKFILE_ANALYZERS];
