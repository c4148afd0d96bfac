/**
 * A local Sigstore for offline provenance tests, shaped like GitHub's public-good signing:
 * a Fulcio-like CA (openssl) issuing short-lived certificates with GitHub Actions extensions,
 * a Rekor-like log key (inclusion promise + a one-leaf inclusion proof with a signed checkpoint),
 * a TrustedRoot JSON naming both, and DSSE bundles (v0.3) of in-toto statements signed for the
 * test. Real keys, real signatures: sigstore-js verifies them exactly as it verifies GitHub's.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../protocol/canonical.js';

export const ISSUER = 'https://token.actions.githubusercontent.com';
export const REPO_URL = 'https://github.com/dfinity/ic';
export const RELEASE_WORKFLOW = `${REPO_URL}/.github/workflows/release-testing.yml@refs/heads/rc--2026-11-27_03-01-base`;
const LOG_URL = 'https://rekor.test.invalid';

export interface Identity {
  san: string;
  issuer: string;
  repository: string;
  commit: string;
  ref: string;
}

export function releaseIdentity(commit: string, over: Partial<Identity> = {}): Identity {
  return { san: RELEASE_WORKFLOW, issuer: ISSUER, repository: REPO_URL, commit, ref: 'refs/heads/rc--2026-11-27_03-01-base', ...over };
}

export function statementFor(subjects: { name: string; sha256: string }[]): object {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: subjects.map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: { buildDefinition: { buildType: 'https://actions.github.io/buildtypes/workflow/v1' }, runDetails: {} },
  };
}

const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

export class LocalSigstore {
  readonly dir: string;
  readonly trustRootPath: string;
  private readonly log: { privateKey: KeyObject; spki: Buffer; id: Buffer };
  private serial = 1;

  constructor(name = 'sigstore') {
    this.dir = mkdtempSync(join(tmpdir(), `icos-${name}-`));
    openssl(this.dir, ['ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'ca.key']);
    openssl(this.dir, [
      'req', '-x509', '-new', '-key', 'ca.key', '-subj', '/O=icos-attest test/CN=test-fulcio', '-days', '3', '-out', 'ca.pem',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    this.log = { privateKey, spki, id: sha256(spki) };
    const start = new Date(Date.now() - 86_400_000).toISOString();
    const root = {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [{ baseUrl: LOG_URL, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(spki), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } }, logId: { keyId: b64(this.log.id) } }],
      certificateAuthorities: [
        {
          subject: { organization: 'icos-attest test', commonName: 'test-fulcio' },
          uri: 'https://fulcio.test.invalid',
          certChain: { certificates: [{ rawBytes: b64(pemToDer(readFileSync(join(this.dir, 'ca.pem'), 'utf8'))) }] },
          validFor: { start },
        },
      ],
      ctlogs: [],
      timestampAuthorities: [],
    };
    this.trustRootPath = join(this.dir, 'trusted_root.json');
    writeFileSync(this.trustRootPath, JSON.stringify(root, null, 2));
  }

  /** A Fulcio-like leaf certificate for `id`, and its key. */
  private issue(id: Identity): { certDer: Buffer; certPem: string; key: KeyObject } {
    const n = this.serial++;
    openssl(this.dir, ['ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', `leaf${n}.key`]);
    openssl(this.dir, ['req', '-new', '-key', `leaf${n}.key`, '-subj', '/CN=sigstore-leaf', '-out', `leaf${n}.csr`]);
    const utf8 = (oid: string, v: string) => `${oid}=ASN1:UTF8String:${v}`;
    writeFileSync(
      join(this.dir, `leaf${n}.cnf`),
      [
        '[v3]',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=codeSigning',
        'authorityKeyIdentifier=keyid',
        `subjectAltName=URI:${id.san}`,
        utf8('1.3.6.1.4.1.57264.1.8', id.issuer),
        utf8('1.3.6.1.4.1.57264.1.9', id.san),
        utf8('1.3.6.1.4.1.57264.1.12', id.repository),
        utf8('1.3.6.1.4.1.57264.1.13', id.commit),
        utf8('1.3.6.1.4.1.57264.1.14', id.ref),
        '',
      ].join('\n'),
    );
    openssl(this.dir, [
      'x509', '-req', '-in', `leaf${n}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(1000 + n), '-days', '1',
      '-extfile', `leaf${n}.cnf`, '-extensions', 'v3', '-out', `leaf${n}.pem`,
    ]);
    const certPem = readFileSync(join(this.dir, `leaf${n}.pem`), 'utf8');
    return { certDer: pemToDer(certPem), certPem, key: createPrivateKey(readFileSync(join(this.dir, `leaf${n}.key`))) };
  }

  /** A v0.3 bundle: DSSE envelope of `statement`, signed by a certificate for `id`, logged. */
  bundle(statement: object, id: Identity, tamper?: (payload: Buffer) => Buffer): object {
    const leaf = this.issue(id);
    const payloadType = 'application/vnd.in-toto+json';
    const signed = Buffer.from(JSON.stringify(statement));
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${signed.length} `), signed]);
    const sig = sign('sha256', pae, leaf.key);
    const payload = tamper ? tamper(signed) : signed;
    const envelope = { payload: b64(payload), payloadType, signatures: [{ sig: b64(sig), keyid: '' }] };
    const body = Buffer.from(
      canonicalJson({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: sha256(JSON.stringify(envelope)).toString('hex') },
          payloadHash: { algorithm: 'sha256', value: sha256(signed).toString('hex') },
          signatures: [{ signature: b64(sig), verifier: b64(leaf.certPem) }],
        },
      }),
    );
    const integratedTime = Math.floor(Date.now() / 1000) + 1;
    const set = sign('sha256', Buffer.from(canonicalJson({ body: b64(body), integratedTime, logIndex: 0, logID: this.log.id.toString('hex') })), this.log.privateKey);
    const rootHash = sha256(Buffer.concat([Buffer.from([0]), body]));
    const note = `rekor.test.invalid - 1\n1\n${b64(rootHash)}\n`;
    const noteSig = sign('sha256', Buffer.from(note), this.log.privateKey);
    const checkpoint = `${note}\n\u2014 rekor.test.invalid ${b64(Buffer.concat([this.log.id.subarray(0, 4), noteSig]))}\n`;
    return {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        certificate: { rawBytes: b64(leaf.certDer) },
        tlogEntries: [
          {
            logIndex: '0',
            logId: { keyId: b64(this.log.id) },
            kindVersion: { kind: 'dsse', version: '0.0.1' },
            integratedTime: String(integratedTime),
            inclusionPromise: { signedEntryTimestamp: b64(set) },
            inclusionProof: { logIndex: '0', rootHash: b64(rootHash), treeSize: '1', hashes: [], checkpoint: { envelope: checkpoint } },
            canonicalizedBody: b64(body),
          },
        ],
      },
      dsseEnvelope: envelope,
    };
  }
}

/** GitHub's attestations API answer for some bundles. */
export function attestationsAnswer(bundles: object[]): string {
  return JSON.stringify({ attestations: bundles.map((bundle) => ({ bundle, repository_id: 1 })) });
}

