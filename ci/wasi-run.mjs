// Runs a wasm32-wasip1 test binary (cargo test --no-run) under node's WASI; imports other
// than WASI (the component-model ones a guest test binary still names) are stubs that throw.
import { WASI } from 'node:wasi';
import fs from 'node:fs';
const wasi = new WASI({ version: 'preview1', args: ['t'], env: {} });
const m = await WebAssembly.compile(fs.readFileSync(process.argv[2]));
const imports = wasi.getImportObject();
for (const imp of WebAssembly.Module.imports(m)) {
  if (!imports[imp.module]) imports[imp.module] = {};
  if (!(imp.name in imports[imp.module])) imports[imp.module][imp.name] = () => { throw new Error('stub ' + imp.module + '.' + imp.name); };
}
const inst = await WebAssembly.instantiate(m, imports);
wasi.start(inst);
