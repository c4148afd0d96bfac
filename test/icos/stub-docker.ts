/**
 * A stub `docker` for the 2022 era's `docker run -it`: it logs its arguments and whether it got a
 * terminal, and, like the real docker, refuses `-it` without one ("the input device is not a TTY").
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STUB = `#!/usr/bin/env bash
log="$(dirname "$0")/docker.log"
tty=no
if [ -t 0 ] && [ -t 1 ]; then tty=yes; fi
printf 'tty=%s args=%s\\n' "$tty" "$*" >> "$log"
case " $* " in
  *" --version "*) echo "Docker version 20.10.0-stub"; exit 0 ;;
esac
if [ "$1" = run ] && [[ " $* " == *" -it "* ]] && [ "$tty" = no ]; then
  echo "the input device is not a TTY" >&2
  exit 1
fi
exit 0
`;

export function stubDocker(base: string): { dir: string; log: () => string[] } {
  const dir = join(base, 'stub-bin');
  if (!existsSync(join(dir, 'docker'))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'docker'), STUB);
    chmodSync(join(dir, 'docker'), 0o755);
  }
  const logPath = join(dir, 'docker.log');
  return { dir, log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean) : []) };
}
