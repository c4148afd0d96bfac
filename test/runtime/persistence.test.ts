import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { Runtime, RuntimeError } from '../../replica/runtime/index.js';
import { installProbe, probe, probeActor } from './probe.js';

const SECOND = 1_000_000_000n;

describe('runtime: save and load (compiled probe Wasm)', () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
  const tempDir = async () => { const d = await mkdtemp(join(tmpdir(), 'icos-runtime-')); dirs.push(d); return d; };

  it('round-trips ids, heap, stable memory, controllers, timers and time', async () => {
    const { rt, id, actor } = await probe('saved');
    const second = await installProbe(rt, 'two');
    await actor.put('k', 'v');
    await actor.schedule(30n);
    const hashes = [rt.stateHash(id), rt.stateHash(second)];
    const dir = await tempDir();
    await rt.save(dir);
    await actor.put('after-save', 'x'); // not in the saved state

    const loaded = await Runtime.load(dir, { log: () => {} });
    assert.deepEqual(loaded.canisterIds().map((p) => p.toText()), [id.toText(), second.toText()]);
    assert.equal(loaded.time(), rt.time());
    assert.deepEqual([loaded.stateHash(id), loaded.stateHash(second)], hashes);
    const again = probeActor(loaded, id);
    assert.deepEqual(await again.get('k'), ['v']);
    assert.deepEqual(await again.get('after-save'), []);
    assert.equal(await again.heap_counter(), 1n);
    assert.equal(await again.init_arg(), 'saved');
    assert.deepEqual(loaded.canisterInfo(id)?.controllers.map((p) => p.toText()), rt.canisterInfo(id)?.controllers.map((p) => p.toText()));
    // The timer scheduled before the save fires after the load.
    await loaded.advanceTime(31n * SECOND);
    assert.equal(await again.timer_fires(), 1n);
    // New canisters do not reuse saved ids.
    const fresh = loaded.createCanister();
    assert.ok(![id.toText(), second.toText()].includes(fresh.toText()));
    // Saving again over the same directory works and keeps one generation.
    await loaded.save(dir);
    const reloaded = await Runtime.load(dir, { log: () => {} });
    assert.equal(await probeActor(reloaded, id).timer_fires(), 1n);
  });

  it('reports a missing or corrupt state directory as a persistence error', async () => {
    const dir = await tempDir();
    await assert.rejects(Runtime.load(join(dir, 'nothing')), (e: unknown) => e instanceof RuntimeError && e.kind === 'persistence');
    await writeFile(join(dir, 'runtime.json'), '{"format":"other"}');
    await assert.rejects(Runtime.load(dir), (e: unknown) => e instanceof RuntimeError && e.kind === 'persistence');
  });
});
