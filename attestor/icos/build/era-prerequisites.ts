/**
 * What the commit's own build script needs from this machine, by era (see layout.ts):
 * `sudo -n true` for the podman eras (the build runs `sudo podman` with no terminal to ask
 * for a password), a usable /dev/kvm where container-run.sh hands it to the build, docker for
 * 2022, and `script` (util-linux) to give 2022's `docker run -it` a terminal. Each missing
 * thing says what to run.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { run } from '../environment/exec.js';
import type { BuildLayout } from './layout.js';

export interface EraPrerequisite {
  kind: 'sudo' | 'kvm' | 'docker' | 'podman' | 'tty';
  message: string;
  fix: string;
}

export interface EraFacts {
  sudoNonInteractive: boolean;
  kvmUsable: boolean;
  docker: boolean;
  podman: boolean;
  script: boolean;
}

/** Pure: the missing list for a layout from measured facts. */
export function evaluateEraPrerequisites(layout: Pick<BuildLayout, 'era' | 'runtime' | 'sudo' | 'kvm' | 'tty'>, f: EraFacts): EraPrerequisite[] {
  const out: EraPrerequisite[] = [];
  if (layout.runtime === 'podman' && !f.podman) {
    out.push({ kind: 'podman', message: `the ${layout.era} build runs podman, which is not installed`, fix: 'install podman (Ubuntu: sudo apt-get install podman)' });
  }
  if (layout.sudo && !f.sudoNonInteractive) {
    out.push({
      kind: 'sudo',
      message: `the ${layout.era} build runs \`sudo podman\` without a terminal, and \`sudo -n true\` fails`,
      fix: 'run `sudo -v` first (or allow passwordless sudo for podman), then start the build again',
    });
  }
  if (layout.kvm && !f.kvmUsable) {
    out.push({
      kind: 'kvm',
      message: `the ${layout.era} build makes the container filesystem in a KVM micro-VM, but /dev/kvm is missing or not readable and writable`,
      fix: 'enable virtualisation (load kvm_intel or kvm_amd; on a cloud VM turn on nested virtualisation) and add yourself to the kvm group: `sudo usermod -aG kvm $USER`, then log in again',
    });
  }
  if (layout.runtime === 'docker' && !f.docker) {
    out.push({ kind: 'docker', message: `the ${layout.era} build (gitlab-ci/tools/docker-build-ic) uses docker, which is not installed or not running`, fix: 'install docker (Ubuntu: sudo apt-get install docker.io) and add yourself to the docker group' });
  }
  if (layout.tty && !f.script) {
    out.push({ kind: 'tty', message: `the ${layout.era} build runs \`docker run -it\` and needs a terminal; \`script\` (util-linux) is not installed`, fix: 'install util-linux (Ubuntu: sudo apt-get install util-linux)' });
  }
  return out;
}

async function usable(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Measures the facts a layout needs (only those it needs) and evaluates them. */
export async function checkEraPrerequisites(layout: BuildLayout, env: NodeJS.ProcessEnv = process.env): Promise<EraPrerequisite[]> {
  const opts = { env };
  const [sudo, kvm, docker, podman, script] = await Promise.all([
    layout.sudo ? run('sudo', ['-n', 'true'], opts).then((r) => r.ok) : true,
    layout.kvm ? usable('/dev/kvm') : true,
    layout.runtime === 'docker' ? run('docker', ['--version'], opts).then((r) => r.ok) : true,
    layout.runtime === 'podman' ? run('podman', ['--version'], opts).then((r) => r.ok) : true,
    layout.tty ? run('script', ['--version'], opts).then((r) => r.ok) : true,
  ]);
  return evaluateEraPrerequisites(layout, { sudoNonInteractive: sudo, kvmUsable: kvm, docker, podman, script });
}
