/** Output: results on stdout, progress on stderr (TTY: one updating line; not a TTY: plain lines; --quiet: none). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';

import { Output, progressRenderer, table } from '../../attestor/cli/output.js';

function sink(isTTY: boolean) {
  let text = '';
  const s = new Writable({
    write(chunk, _e, cb) {
      text += String(chunk);
      cb();
    }
  }) as Writable & { isTTY?: boolean };
  s.isTTY = isTTY;
  return { stream: s, text: () => text };
}

test('TTY progress rewrites one line; a finished operation ends it with a newline', () => {
  const out = sink(true);
  const err = sink(true);
  const o = new Output({ json: false, quiet: false, stdout: out.stream, stderr: err.stream, env: {} });
  const render = progressRenderer(o);
  render({ phase: 'download', label: 'a.img', bytesDone: 10, bytesTotal: 100 });
  render({ phase: 'download', label: 'a.img', bytesDone: 100, bytesTotal: 100 });
  render({ phase: 'download', label: 'a.img', bytesDone: 100, bytesTotal: 100 });
  assert.match(err.text(), /^\r\x1b\[2Kdownload a\.img: 10 B \/ 100 B \(10%\)\r\x1b\[2Kdownload a\.img: 100 B\n$/);
  assert.equal(out.text(), '');
  assert.ok(o.color, 'a terminal without NO_COLOR gets colors');
});

test('not a TTY: no carriage returns, the end of each operation on its own line; --quiet: nothing but the error line', () => {
  const err = sink(false);
  const o = new Output({ json: false, quiet: false, stdout: sink(false).stream, stderr: err.stream, env: {} });
  const render = progressRenderer(o);
  render({ phase: 'hash', label: 'b.img', bytesDone: 1, bytesTotal: 2 });
  render({ phase: 'hash', label: 'b.img', bytesDone: 2, bytesTotal: 2 });
  assert.doesNotMatch(err.text(), /\r/);
  assert.match(err.text(), /hash b\.img: 2 B\n$/);
  assert.equal(o.color, false);

  const quietErr = sink(true);
  const q = new Output({ json: false, quiet: true, stdout: sink(true).stream, stderr: quietErr.stream, env: {} });
  progressRenderer(q)({ phase: 'hash', label: 'c', bytesDone: 2, bytesTotal: 2 });
  q.log('a log line');
  assert.equal(quietErr.text(), '');
  // --quiet silences warnings too (issue 17); the one error line is never silenced
  q.warn('not shown');
  assert.equal(quietErr.text(), '');
  q.error('what failed\nand why');
  assert.equal(quietErr.text(), 'icos-attest: what failed and why\n');
});

test('--json: one document with bigints as decimal strings; NO_COLOR turns colors off', () => {
  const out = sink(true);
  const o = new Output({ json: true, quiet: false, stdout: out.stream, stderr: sink(true).stream, env: {} });
  o.result({ id: 18446744073709551615n, bytes: new Uint8Array([1, 255]) }, () => 'human');
  assert.deepEqual(JSON.parse(out.text()), { id: '18446744073709551615', bytes: '01ff' });
  assert.equal(new Output({ json: false, quiet: false, stdout: sink(true).stream, env: { NO_COLOR: '1' } }).color, false);
});

test('table pads by visible width, ignoring color codes', () => {
  const t = table(['A', 'B'], [['\x1b[32mxx\x1b[0m', 'y'], ['zzz', 'w']]);
  assert.deepEqual(t.split('\n'), ['A    B', '---  -', '\x1b[32mxx\x1b[0m   y', 'zzz  w']);
});
