const { installCompileCache } = require("/work/wt/boot/scripts/compile-cache.js");
if (process.env.CC) installCompileCache({ root: "/work/wt/boot", name: "loadonly-" + process.env.CC, force: true });
require("/work/wt/boot/policy/sdkDefer.js").deferSdkModules("/work/wt/boot");
for (const m of ["@pulumi/pulumi","@pulumi/azure-native","zod","yaml"]) require(require.resolve(m,{paths:["/work/wt/boot"]}));
