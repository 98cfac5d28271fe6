const Module = require("module");
const what = process.argv[2];
const before = new Set(Object.keys(require.cache));
const t0 = performance.now();
require(what);
const t1 = performance.now();
const keys = Object.keys(require.cache).filter(k => !before.has(k));
const by = {};
for (const k of keys) { const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/g; let last; let x; while ((x = m.exec(k))) last = x[1]; by[last] = (by[last]||0)+1; }
console.log(what, keys.length, "modules", Math.round(t1-t0), "ms");
console.log(Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,15).map(e=>e.join(":")).join(" "));
