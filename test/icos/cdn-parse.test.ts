import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateArtifact } from '../../attestor/icos/cdn/check.js';
import { chooseArtifactFile, cdnFileUrl, mirrorName } from '../../attestor/icos/cdn/layout.js';
import {
  measurementToHex,
  normaliseMeasurements,
  parseLaunchMeasurements,
  sameMeasurements,
} from '../../attestor/icos/cdn/measurements.js';
import { findSum, parseSha256Sums } from '../../attestor/icos/cdn/sha256sums.js';

const H1 = 'a'.repeat(64);
const H2 = 'B'.repeat(64);

describe('SHA256SUMS', () => {
  test('both formats, any white space, exact names', () => {
    const { entries, malformed } = parseSha256Sums(
      `${H1} update-img.tar.zst\n${H2} *update-img-test.tar.zst\r\n\n${H1}\t\tdisk-img.tar.zst\nnot a line\n`,
    );
    assert.deepEqual(
      entries.map((e) => [e.sha256, e.name]),
      [
        [H1, 'update-img.tar.zst'],
        [H2.toLowerCase(), 'update-img-test.tar.zst'],
        [H1, 'disk-img.tar.zst'],
      ],
    );
    assert.deepEqual(malformed, ['not a line']);
    assert.equal(findSum(entries, 'update-img.tar.zst').length, 1);
    assert.equal(findSum(entries, 'img.tar.zst').length, 0, 'no suffix matching');
    assert.equal(findSum(entries, 'update-img-test.tar.zst')[0]!.sha256, H2.toLowerCase());
  });

  test('a short hash is malformed, not a line', () => {
    const { entries, malformed } = parseSha256Sums(`abcd update-img.tar.zst\n`);
    assert.equal(entries.length, 0);
    assert.equal(malformed.length, 1);
  });

  test('a file listed twice with different hashes is a sums-mismatch', () => {
    const out = evaluateArtifact({
      os: 'guestos',
      name: 'guestos/update-img.tar.zst',
      file: 'update-img.tar.zst',
      dir: 'guest-os/update-img',
      elected: true,
      proposalSha256: H1,
      urls: [],
      mirrors: [
        {
          mirror: 'm',
          url: 'u',
          sha256: H1,
          size: 1,
          error: null,
          sums: { url: 's', line: 'x', sha256: H1, error: { kind: 'sums-ambiguous', message: 'twice' } },
        },
      ],
      launchMeasurements: null,
    });
    assert.deepEqual(out.findings.map((f) => f.kind), ['sums-mismatch']);
    assert.equal(out.artifact.ok, false);
  });
});

describe('launch measurements', () => {
  test('byte arrays and hex normalise to the same lowercase hex', () => {
    assert.equal(measurementToHex([0, 15, 255]), '000fff');
    assert.equal(measurementToHex('0x000FFF'), '000fff');
    assert.equal(measurementToHex([256]), null);
    assert.equal(measurementToHex('xyz'), null);
    const parsed = parseLaunchMeasurements(JSON.stringify({ guest_launch_measurements: [{ measurement: [1, 2, 171] }] }));
    assert.ok(parsed.ok);
    assert.ok(sameMeasurements(parsed.measurements, normaliseMeasurements(['0102AB'])));
    assert.ok(!sameMeasurements(parsed.measurements, normaliseMeasurements(['0102ac'])));
  });

  test('order does not matter, count does', () => {
    assert.ok(sameMeasurements(['aa', 'bb'], ['bb', 'aa']));
    assert.ok(!sameMeasurements(['aa'], ['aa', 'aa']));
  });

  test('bad files are error values', () => {
    assert.equal(parseLaunchMeasurements('{').ok, false);
    assert.equal(parseLaunchMeasurements('{"x":1}').ok, false);
    assert.equal(parseLaunchMeasurements('{"guest_launch_measurements":[{"measurement":"zz"}]}').ok, false);
  });
});

describe('CDN layout', () => {
  test('paths per OS', () => {
    const c = 'f'.repeat(40);
    assert.equal(cdnFileUrl('https://download.dfinity.systems/', c, 'guestos', 'SHA256SUMS'), `https://download.dfinity.systems/ic/${c}/guest-os/update-img/SHA256SUMS`);
    assert.equal(cdnFileUrl('https://m', c, 'hostos', 'x'), `https://m/ic/${c}/host-os/update-img/x`);
    assert.equal(cdnFileUrl('https://m', c, 'setupos', 'x'), `https://m/ic/${c}/setup-os/disk-img/x`);
    assert.equal(cdnFileUrl('https://m', c, 'recovery', 'x'), `https://m/ic/${c}/guest-os/update-img-recovery/x`);
    assert.equal(mirrorName('https://download.dfinity.network'), 'download.dfinity.network');
  });

  test('artifact file per era', () => {
    assert.equal(chooseArtifactFile('guestos', ['https://x/update-img.tar.gz'], []), 'update-img.tar.gz');
    assert.equal(chooseArtifactFile('guestos', [], ['update-img-test.tar.zst', 'update-img.tar.gz']), 'update-img.tar.gz');
    assert.equal(chooseArtifactFile('setupos', [], []), 'disk-img.tar.zst');
  });
});
