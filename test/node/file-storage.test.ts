import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStorage, keyToFileName } from '../../sim/hal/file-storage.js';
import { PowerCut, StorageLimitError } from '../../sim/hal/index.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const list = (b: Uint8Array | undefined) => (b === undefined ? undefined : Array.from(b));

describe('FileStorage (Node)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-fs-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates its directory and persists values across instances', () => {
    const sub = path.join(dir, 'a', 'b');
    const s = new FileStorage(sub);
    expect(fs.statSync(sub).isDirectory()).to.equal(true);
    s.set('state', bytes(1, 2, 3));
    s.set('empty', new Uint8Array(0));
    const again = new FileStorage(sub);
    const got = again.get('state');
    expect(got).to.be.instanceOf(Uint8Array);
    expect(Buffer.isBuffer(got)).to.equal(false);
    expect(list(got)).to.deep.equal([1, 2, 3]);
    expect(list(again.get('empty'))).to.deep.equal([]);
    expect(again.get('missing')).to.equal(undefined);
    expect(again.keys()).to.deep.equal(['empty', 'state']);
    expect(fs.readdirSync(sub).sort()).to.deep.equal(['empty', 'state']);
  });

  it('replaces atomically via a temp file, copies values, deletes, and counts', () => {
    const s = new FileStorage(dir);
    const v = bytes(1, 2, 3);
    s.set('k', v);
    v[0] = 9;
    s.set('k', bytes(4, 5));
    expect(list(s.get('k'))).to.deep.equal([4, 5]);
    expect(fs.readdirSync(dir)).to.deep.equal(['k']); // no temp file left behind
    s.delete('k');
    s.delete('k'); // deleting a missing key is fine
    expect(s.get('k')).to.equal(undefined);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
    expect(s.writes).to.equal(4);
    expect(s.bytesWritten).to.equal(5);
  });

  it('keeps keys that differ only in case apart (case-insensitive disks)', () => {
    const s = new FileStorage(dir);
    s.set('seen', bytes(1));
    s.set('Seen', bytes(2));
    s.set('SEEN', bytes(3));
    expect([s.get('seen'), s.get('Seen'), s.get('SEEN')].map(list)).to.deep.equal([[1], [2], [3]]);
    expect(keyToFileName('lastSeen')).to.equal('last^Seen');
    expect(new FileStorage(dir).keys()).to.deep.equal(['SEEN', 'Seen', 'seen']);
  });

  it('validates keys and values like NVS, plus a safe file-name alphabet', () => {
    const s = new FileStorage(dir);
    s.set('a-b_c.d-0123456', new Uint8Array(4000));
    for (const bad of ['', 'k'.repeat(16), '../etc', 'a/b', 'a b', 'é', '.', '..', 'x.tmp', 'a\\b']) {
      expect(() => s.set(bad, bytes(1)), bad).to.throw(StorageLimitError);
      expect(() => s.get(bad), bad).to.throw(StorageLimitError);
      expect(() => s.delete(bad), bad).to.throw(StorageLimitError);
    }
    expect(() => s.set('v', new Uint8Array(4001))).to.throw(StorageLimitError);
    expect(fs.readdirSync(dir)).to.deep.equal(['a-b_c.d-0123456']);
    expect(s.writes).to.equal(1);
  });

  it('deletes leftover temp files when opened', () => {
    fs.writeFileSync(path.join(dir, 'k'), bytes(1));
    fs.writeFileSync(path.join(dir, 'k.tmp'), bytes(2, 2));
    fs.writeFileSync(path.join(dir, 'other.tmp'), bytes(3));
    const s = new FileStorage(dir);
    expect(s.removedTempFiles.sort()).to.deep.equal(['k.tmp', 'other.tmp']);
    expect(fs.readdirSync(dir)).to.deep.equal(['k']);
    expect(list(s.get('k'))).to.deep.equal([1]);
  });

  it('cut before: the old value stays; the storage is off until powerOn()', () => {
    const s = new FileStorage(dir);
    s.set('k', bytes(1));
    s.cutAtWrite(1, 'before');
    expect(() => s.set('k', bytes(2))).to.throw(PowerCut);
    expect(() => s.get('k')).to.throw(PowerCut);
    expect(() => s.delete('k')).to.throw(PowerCut);
    expect(list(new FileStorage(dir).get('k'))).to.deep.equal([1]);
    s.powerOn();
    expect(list(s.get('k'))).to.deep.equal([1]);
    expect(s.writes).to.equal(1);
  });

  it('cut after: the new value is durable', () => {
    const s = new FileStorage(dir);
    s.set('k', bytes(1));
    s.cutAtWrite(2, 'after');
    s.set('j', bytes(7));
    expect(() => s.set('k', bytes(2, 2))).to.throw(PowerCut);
    expect(() => s.get('j')).to.throw(PowerCut);
    const reopened = new FileStorage(dir);
    expect(list(reopened.get('k'))).to.deep.equal([2, 2]);
    expect(list(reopened.get('j'))).to.deep.equal([7]);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['j', 'k']);
  });

  it('cut during: a torn temp file is left, the old value is intact after reopening', () => {
    const s = new FileStorage(dir);
    s.set('k', bytes(1, 1, 1));
    s.cutAtWrite(1, 'during');
    let caught: unknown;
    try {
      s.set('k', bytes(5, 6, 7, 8, 9));
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(PowerCut);
    expect((caught as PowerCut).point).to.equal('during');
    expect(list(new Uint8Array(fs.readFileSync(path.join(dir, 'k.tmp'))))).to.deep.equal([5, 6]);
    expect(list(new Uint8Array(fs.readFileSync(path.join(dir, 'k'))))).to.deep.equal([1, 1, 1]);
    expect(() => s.get('k')).to.throw(PowerCut);

    const reopened = new FileStorage(dir);
    expect(reopened.removedTempFiles).to.deep.equal(['k.tmp']);
    expect(list(reopened.get('k'))).to.deep.equal([1, 1, 1]);
    expect(fs.readdirSync(dir)).to.deep.equal(['k']);
    // powerOn() on the first instance is a boot too: it cleans up the same way.
    fs.writeFileSync(path.join(dir, 'k.tmp'), bytes(0));
    s.powerOn();
    expect(s.removedTempFiles).to.deep.equal(['k.tmp']);
    expect(list(s.get('k'))).to.deep.equal([1, 1, 1]);
  });

  it('cuts deletes too ("during" a delete is "before": an unlink is atomic)', () => {
    const s = new FileStorage(dir);
    s.set('k', bytes(1));
    for (const when of ['before', 'during'] as const) {
      s.cutAtWrite(1, when);
      expect(() => s.delete('k')).to.throw(PowerCut);
      s.powerOn();
      expect(list(s.get('k'))).to.deep.equal([1]);
    }
    s.cutAtWrite(1, 'after');
    expect(() => s.delete('k')).to.throw(PowerCut);
    expect(new FileStorage(dir).get('k')).to.equal(undefined);
  });
});
