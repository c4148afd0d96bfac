/** Predicate v2 (issue 15): the environment by roles, and no home path or user name anywhere. v1 stays accepted. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateStatement } from '../../protocol/validate.js';
import { findPrivatePath, normaliseEnvironment, redactPath } from '../../protocol/environment.js';
import { PREDICATE_TYPE_V2, type StatementV2 } from '../../protocol/types.js';
import { sampleEnvironment, sampleEnvironmentV2 } from '../fixtures/environment.js';
import { statement } from './fixtures.js';

const COMMIT = 'c'.repeat(40);

function v2(): StatementV2 {
  const st = statement() as unknown as StatementV2;
  return { ...st, predicateType: PREDICATE_TYPE_V2, predicate: { ...st.predicate, environment: sampleEnvironmentV2(st.predicate.commit) } };
}

function refused(mutate: (s: any) => void, field: RegExp): void {
  const s: any = structuredClone(v2());
  mutate(s);
  const r = validateStatement(s);
  assert.equal(r.ok, false, 'must be refused');
  if (!r.ok) assert.match(r.error.field ?? '', field, r.error.message);
}

describe('predicate v2', () => {
  it('accepts a v2 statement, and v1 still', () => {
    const r = validateStatement(v2());
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.ok(validateStatement(statement()).ok);
  });

  it('refuses home paths and user names anywhere in the predicate', () => {
    refused((s) => { s.predicate.environment.commandLine = ['/home/dave/ic/ci/container/build-ic.sh']; }, /commandLine\[0\]/);
    refused((s) => { s.predicate.environment.commandLine = ['--cache-dir', '/Users/dave/cache']; }, /commandLine\[1\]/);
    refused((s) => { s.predicate.environment.commandLine = ['/root/ic/build']; }, /commandLine\[0\]/);
    refused((s) => { s.predicate.environment.commandLine = ['C:\\Users\\dave\\ic']; }, /commandLine\[0\]/);
    refused((s) => { s.predicate.tool.version = '0.1.0 (~dave)'; }, /tool\.version/);
    refused((s) => { s.predicate.environment.os.name = 'Ubuntu /home/eve'; }, /os\.name/);
  });

  it('refuses host paths where roles or relative paths belong', () => {
    refused((s) => { s.predicate.environment.dirs[0].role = '/home/dave/ic'; }, /dirs\[0\]\.role/);
    refused((s) => { s.predicate.environment.dirs[0].role = '/srv/build'; }, /dirs\[0\]\.role/);
    refused((s) => { s.predicate.environment.files[0].path = '/srv/ic/ci/container/build-ic.sh'; }, /files\[0\]\.path/);
    refused((s) => { s.predicate.environment.files[0].path = '../ic/x'; }, /files\[0\]\.path/);
    refused((s) => { s.predicate.environment.script = '/opt/ic/ci/container/build-ic.sh'; }, /script/);
    refused((s) => { s.predicate.environment.tempDirs = []; }, /tempDirs/);
    refused((s) => { s.predicate.environment.container.engine = 'lxc'; }, /container\.engine/);
    refused((s) => { s.predicate.environment.files.push({ ...s.predicate.environment.files[0] }); }, /files\[2\]\.path/);
  });

  it('normalises v1 records: roles instead of paths, home paths redacted', () => {
    const v1 = sampleEnvironment(COMMIT, {
      tempDirs: [
        { path: '/tmp', fsType: 'tmpfs', blockSize: 4096, tmpfs: true },
        { path: '/home/dave/ic', fsType: 'ext2/ext3', blockSize: 4096, tmpfs: false },
      ],
      commandLine: ['/home/dave/ic/ci/container/build-ic.sh', '--icos'],
    });
    const n = normaliseEnvironment(v1);
    assert.deepEqual(n.dirs.map((d) => d.role), ['tmp', 'repo']);
    assert.deepEqual(n.commandLine, ['~/ic/ci/container/build-ic.sh', '--icos']);
    assert.deepEqual(n.files, [{ path: 'ci/container/build-ic.sh', sha256: 'b'.repeat(64), atCommit: null }]);
    assert.equal(findPrivatePath(JSON.stringify(n)), null);
    assert.equal(redactPath('/srv/x/ic/a', { repo: '/srv/x/ic' }), '<repo>/a');
  });
});
