const Module = require("module");
const path = require("path");
if (process.argv[2] === "stub") {
  const lazy = (file, names) => {
    const m = new Module(file, null); m.filename = file; m.loaded = true;
    let real;
    const load = () => { if (!real) { delete require.cache[file]; real = require(file); } return real; };
    for (const n of names) m.exports[n] = function (...a) { return load()[n].apply(this, a); };
    require.cache[file] = m;
  };
  const base = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  lazy(path.join(base, "runtime/closure/serializeClosure.js"), ["serializeFunction", "serializeFunctionAsync"]);
  lazy(path.join(base, "runtime/closure/codePaths.js"), ["computeCodePaths", "findWorkspaceRoot", "packageArchivePath"]);
  const af = path.join(base, "automation/index.js");
  const m = new Module(af, null); m.filename = af; m.loaded = true;
  let real; const load = () => { if (!real) { delete require.cache[af]; real = require(af); } return real; };
  m.exports = new Proxy({ __esModule: true }, { get: (t, p) => p === "__esModule" ? true : load()[p], has: (t, p) => p in load(), ownKeys: () => Reflect.ownKeys(load()), getOwnPropertyDescriptor: (t, p) => Reflect.getOwnPropertyDescriptor(load(), p) });
  require.cache[af] = m;
}
const c0 = process.cpuUsage(); const t0 = performance.now();
require("@pulumi/pulumi"); require("@pulumi/azure-native/resources");
const c = process.cpuUsage(c0);
console.log(process.argv[2] || "plain", Object.keys(require.cache).length, "modules", Math.round(performance.now() - t0), "ms wall", Math.round((c.user + c.system) / 1000), "ms cpu");
