// jspassthrough: returns every buffer unchanged through the copying path. The JavaScript
// counterpart of the Rust `passthrough`, for the per-buffer cost benchmark.

const info = {
  name: 'jspassthrough',
  classification: 'Generic',
  description: 'Returns every buffer unchanged (written in JavaScript, copying path)',
  version: '0.1.0',
  pads: [
    { name: 'sink', direction: 'sink', presence: 'always', caps: 'ANY' },
    { name: 'src', direction: 'src', presence: 'always', caps: 'ANY' },
  ],
  properties: [],
  hints: { cpuBound: false, rtSafe: false },
  dataPath: 'copy',
};

const flowError = (message) => ({ tag: 'error', val: message });

class Instance {
  static create(properties) {
    return new Instance();
  }
  setProperty(name, value) {
    throw `no property ${name}`;
  }
  getProperty(name) {
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
  processCopy(pad, data, meta) {
    return [{ pad: 0, data, meta }];
  }
  drain() {
    return [];
  }
  flush() {}
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
