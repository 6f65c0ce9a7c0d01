// jsonpick: a JSON-lines (NDJSON) transform. Every line of the stream is parsed as a JSON
// object and written back with only the keys listed in `keys` (all keys when empty), one
// object per line. A line may span buffers: the tail after the last newline waits for the
// next buffer, and whatever is left at end of stream is emitted by `drain`. A line that is
// not a JSON object fails the element, or is dropped with `drop-invalid=true`.
//
// Copying path: componentize-js gives JavaScript the bytes as a Uint8Array copy.

import { postMessage } from 'parallax:element/host@0.1.0';

const CAPS = 'application/x-ndjson';
const DEFAULT_KEYS = '';
const DEFAULT_DROP_INVALID = 'false';

const info = {
  name: 'jsonpick',
  classification: 'Filter/Converter/Text',
  description: 'Keeps the listed keys of every JSON-lines object (written in JavaScript)',
  version: '0.1.0',
  pads: [
    { name: 'sink', direction: 'sink', presence: 'always', caps: CAPS },
    { name: 'src', direction: 'src', presence: 'always', caps: CAPS },
  ],
  properties: [
    {
      name: 'keys',
      kind: { tag: 'text' },
      default: DEFAULT_KEYS,
      doc: 'Comma-separated keys to keep, in this order (empty: every key)',
      mutableWhileRunning: true,
    },
    {
      name: 'drop-invalid',
      kind: { tag: 'boolean' },
      default: DEFAULT_DROP_INVALID,
      doc: 'Drop lines that are not JSON objects instead of failing',
      mutableWhileRunning: true,
    },
  ],
  hints: { cpuBound: true, rtSafe: false },
  dataPath: 'copy',
};

// A WIT `flow-error::error`, thrown from an export that returns a result.
const flowError = (message) => ({ tag: 'error', val: message });

const NO_META = { flags: {} };

class Instance {
  constructor() {
    this.keys = [];
    this.keysText = DEFAULT_KEYS;
    this.dropInvalid = false;
    this.pending = '';
    this.dropped = 0;
    this.decoder = new TextDecoder();
    this.encoder = new TextEncoder();
  }

  static create(properties) {
    const self = new Instance();
    for (const [name, value] of properties) {
      self.setProperty(name, value);
    }
    return self;
  }

  setProperty(name, value) {
    if (name === 'keys') {
      this.keysText = value;
      this.keys = value.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
    } else if (name === 'drop-invalid') {
      this.dropInvalid = value === 'true';
    } else {
      throw `no property ${name}`;
    }
  }

  getProperty(name) {
    if (name === 'keys') return this.keysText;
    if (name === 'drop-invalid') return String(this.dropInvalid);
    return undefined;
  }

  transformCaps(direction, caps) {
    return caps;
  }

  setCaps(sink, src) {
    return 0;
  }

  process(pad, input, meta, output) {
    throw flowError('copying-path element: process-copy only');
  }

  generate(output) {
    throw flowError('not a source');
  }

  // One line in, one line (or nothing) out.
  pick(line) {
    if (line.trim() === '') return '';
    let value;
    try {
      value = JSON.parse(line);
    } catch (e) {
      value = undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      if (this.dropInvalid) {
        this.dropped += 1;
        return '';
      }
      throw flowError(`not a JSON object: ${line.slice(0, 80)}`);
    }
    if (this.keys.length === 0) return JSON.stringify(value) + '\n';
    const picked = {};
    for (const key of this.keys) {
      if (Object.prototype.hasOwnProperty.call(value, key)) picked[key] = value[key];
    }
    return JSON.stringify(picked) + '\n';
  }

  output(text, meta) {
    return text === '' ? [] : [{ pad: 0, data: this.encoder.encode(text), meta }];
  }

  processCopy(pad, data, meta) {
    const text = this.pending + this.decoder.decode(data, { stream: true });
    const lines = text.split('\n');
    this.pending = lines.pop();
    return this.output(lines.map((l) => this.pick(l)).join(''), meta);
  }

  drain() {
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    const out = this.output(this.pick(rest), NO_META);
    if (this.dropped > 0) {
      postMessage(`jsonpick/dropped, lines=(int)${this.dropped}`);
    }
    return out;
  }

  flush() {
    this.pending = '';
    this.decoder = new TextDecoder();
  }
}

export const element = {
  describe() {
    return info;
  },
  reserveWindow(bytes) {
    throw 'a copying-path element reserves no window';
  },
  Instance,
};
